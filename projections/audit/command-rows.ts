import type {
  DocumentRestored,
  DocumentTrashed,
  RetentionPolicyChanged,
} from '../../schemas/events.ts';
import { type SqlStatement, sql } from '../runtime/projection.ts';

type Command = DocumentTrashed | DocumentRestored | RetentionPolicyChanged;

/** The route each command was asked through, for the audit trail's rows. */
const ROUTES: Record<Command['type'], { route: string; method: string }> = {
  DocumentTrashed: { route: '/documents/:id', method: 'DELETE' },
  DocumentRestored: { route: '/documents/:id/restore', method: 'POST' },
  RetentionPolicyChanged: { route: '/retention', method: 'PUT' },
};

const limit = (value: number | null) => (value === null ? 'none' : String(value));

/** What the audit row says of why: the reason given, or the policy as it then stood. */
function reasonOf(event: Command): string | null {
  switch (event.type) {
    case 'DocumentTrashed':
      return event.data.reason;
    case 'DocumentRestored':
      return null;
    case 'RetentionPolicyChanged': {
      const d = event.data;
      return `documentsMaxAgeDays=${limit(d.documentsMaxAgeDays)} rejectedMaxAgeDays=${limit(d.rejectedMaxAgeDays)} trashDelayHours=${limit(d.trashDelayHours)}`;
    }
  }
}

/** A row of the audit trail for a command on the tenant's data: who, which ids, and why. */
export function commandRow(event: Command): SqlStatement {
  const { tenantId, eventId, occurredAt, aggregateId } = event.metadata;
  const documentIds = event.type === 'RetentionPolicyChanged' ? [] : [aggregateId];
  const { route, method } = ROUTES[event.type];
  return sql(
    `INSERT INTO audit (tenant_id, event_id, occurred_at, principal, route, method,
       document_ids, patient_ids, result_count, status, reason)
     VALUES ($1, $2, $3, $4, $5, $6, $7, '{}', $8, 200, $9) ON CONFLICT DO NOTHING`,
    tenantId,
    eventId,
    new Date(occurredAt),
    event.data.principal,
    route,
    method,
    documentIds,
    documentIds.length,
    reasonOf(event),
  );
}
