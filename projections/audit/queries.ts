import type { Queryable } from '../../infra/postgres.ts';
import { decodeCursor, pageOf } from '../runtime/paging.ts';

export interface AuditRecordView {
  eventId: string;
  occurredAt: string;
  principal: string;
  route: string;
  method: string;
  documentIds: string[];
  patientIds: string[];
  resultCount: number;
  status: number;
  /** Why, for an erasure; null for a read. */
  reason: string | null;
}

export interface AuditFilters {
  principal?: string | undefined;
  patientId?: string | undefined;
  documentId?: string | undefined;
  /** ISO date-times: from inclusive, to exclusive. */
  from?: string | undefined;
  to?: string | undefined;
}

interface AuditRow {
  event_id: string;
  occurred_at: Date;
  principal: string;
  route: string;
  method: string;
  document_ids: string[];
  patient_ids: string[];
  result_count: number;
  status: number;
  reason: string | null;
}

const toView = (r: AuditRow): AuditRecordView => ({
  eventId: r.event_id,
  occurredAt: r.occurred_at.toISOString(),
  principal: r.principal,
  route: r.route,
  method: r.method,
  documentIds: r.document_ids,
  patientIds: r.patient_ids,
  resultCount: r.result_count,
  status: r.status,
  reason: r.reason,
});

/** A tenant's reads of patient data, newest first; the cursor is the (occurred_at, event id) of the last. */
export async function listAudit(
  db: Queryable,
  tenantId: string,
  filters: AuditFilters,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ items: AuditRecordView[]; nextCursor: string | null }> {
  const where = ['tenant_id = $1'];
  const values: unknown[] = [tenantId];
  const add = (clause: string, value: unknown) => {
    values.push(value);
    where.push(clause.replace('?', `$${values.length}`));
  };
  if (filters.principal) add('principal = ?', filters.principal);
  if (filters.documentId) add('document_ids @> ARRAY[?::text]', filters.documentId);
  if (filters.patientId) add('patient_ids @> ARRAY[?::text]', filters.patientId);
  if (filters.from) add('occurred_at >= ?', filters.from);
  if (filters.to) add('occurred_at < ?', filters.to);
  if (page.cursor) {
    const [at, id] = decodeCursor(page.cursor);
    values.push(at, id);
    where.push(`(occurred_at, event_id) < ($${values.length - 1}, $${values.length})`);
  }
  values.push(page.limit + 1);
  const { rows } = await db.query<AuditRow>(
    `SELECT event_id, occurred_at, principal, route, method, document_ids, patient_ids,
       result_count, status, reason
     FROM audit WHERE ${where.join(' AND ')}
     ORDER BY occurred_at DESC, event_id DESC LIMIT $${values.length}`,
    values,
  );
  return pageOf(rows.map(toView), page.limit, (item) => [item.occurredAt, item.eventId]);
}
