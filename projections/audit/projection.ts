import { defineProjection, sql } from '../runtime/projection.ts';

/** Who read which patient data and when: one row per PatientDataRead, ids only. */
export const auditProjection = defineProjection({
  name: 'audit',
  handlers: {
    PatientDataRead: (event) => {
      const { tenantId, eventId, occurredAt } = event.metadata;
      const d = event.data;
      return [
        sql(
          `INSERT INTO audit (tenant_id, event_id, occurred_at, principal, route, method,
             document_ids, patient_ids, result_count, status)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
          tenantId,
          eventId,
          new Date(occurredAt),
          d.principal,
          d.route,
          d.method,
          d.documentIds,
          d.patientIds,
          d.resultCount,
          d.status,
        ),
      ];
    },
  },
});
