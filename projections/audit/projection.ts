import type { DocumentErased, PatientErased } from '../../schemas/events.ts';
import { defineProjection, insertRow, type SqlStatement, sql } from '../runtime/projection.ts';
import { commandRow } from './command-rows.ts';

/**
 * Who read which patient data and when: one row per PatientDataRead, ids only. Erasures too: one
 * row per erasure asked for (who, which ids, why); the documents erased with a patient or a
 * container are listed on its row.
 */
export const auditProjection = defineProjection({
  name: 'audit',
  handlers: {
    PatientDataRead: (event) => {
      const { tenantId, eventId, occurredAt } = event.metadata;
      const d = event.data;
      return [
        insertRow(
          `INSERT INTO audit (tenant_id, event_id, occurred_at, principal, route, method,
             document_ids, patient_ids, result_count, status)`,
          'ON CONFLICT DO NOTHING',
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
    DocumentTrashed: (event) => [commandRow(event)],
    DocumentRestored: (event) => [commandRow(event)],
    RetentionPolicyChanged: (event) => [commandRow(event)],
    PatientErased: (event) =>
      event.metadata.causationId
        ? []
        : [
            erasureRow(event, '/patients/:id/erase', {
              patientIds: [event.metadata.aggregateId, ...event.data.mergedIds],
              documentIds: event.data.documentIds,
            }),
          ],
    DocumentErased: (event) =>
      event.metadata.causationId
        ? []
        : [
            erasureRow(event, '/documents/:id/erase', {
              patientIds: [],
              documentIds: event.data.destroyedSubjects
                .filter((s) => s.startsWith('document:'))
                .map((s) => s.slice('document:'.length)),
            }),
          ],
  },
});

function erasureRow(
  event: PatientErased | DocumentErased,
  route: string,
  ids: { patientIds: string[]; documentIds: string[] },
): SqlStatement {
  const { tenantId, eventId, occurredAt } = event.metadata;
  return sql(
    `INSERT INTO audit (tenant_id, event_id, occurred_at, principal, route, method,
       document_ids, patient_ids, result_count, status, reason)
     VALUES ($1, $2, $3, $4, $5, 'POST', $6, $7, $8, 202, $9) ON CONFLICT DO NOTHING`,
    tenantId,
    eventId,
    new Date(occurredAt),
    event.data.principal,
    route,
    ids.documentIds,
    ids.patientIds,
    ids.documentIds.length + ids.patientIds.length,
    event.data.reason,
  );
}
