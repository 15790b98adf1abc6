import type { Queryable } from '../../infra/postgres.ts';
import type { MatchCandidate, PatientSubject } from '../../schemas/events.ts';
import { decodeCursor, pageOf } from '../runtime/paging.ts';

/** Who the document says its patient is (as PatientSubject, with a plain array). */
export type ReviewSubject = Omit<PatientSubject, 'identifiers'> & {
  identifiers: Array<{ kind: string; value: string }>;
};

export interface ReviewView {
  id: string;
  documentId: string;
  round: number;
  score: number;
  status: string;
  subject: ReviewSubject;
  /** The closest patients, best first, each with the evidence of every field compared. */
  candidates: MatchCandidate[];
  requestedAt: string;
  /** The event that asked for the review. */
  requestedByEvent: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
  patientId: string | null;
  note: string | null;
}

interface ReviewRow {
  review_id: string;
  document_id: string;
  round: number;
  score: number;
  status: string;
  subject: ReviewSubject;
  candidates: MatchCandidate[];
  requested_at: Date;
  requested_by_event: string;
  resolved_at: Date | null;
  resolved_by: string | null;
  patient_id: string | null;
  note: string | null;
}

const COLUMNS = `review_id, document_id, round, score, status, subject, candidates, requested_at,
  requested_by_event, resolved_at, resolved_by, patient_id, note`;

const toView = (r: ReviewRow): ReviewView => ({
  id: r.review_id,
  documentId: r.document_id,
  round: r.round,
  score: r.score,
  status: r.status,
  subject: r.subject,
  candidates: r.candidates,
  requestedAt: r.requested_at.toISOString(),
  requestedByEvent: r.requested_by_event,
  resolvedAt: r.resolved_at?.toISOString() ?? null,
  resolvedBy: r.resolved_by,
  patientId: r.patient_id,
  note: r.note,
});

export async function findReview(
  db: Queryable,
  tenantId: string,
  reviewId: string,
): Promise<ReviewView | null> {
  const { rows } = await db.query<ReviewRow>(
    `SELECT ${COLUMNS} FROM reviews WHERE tenant_id = $1 AND review_id = $2`,
    [tenantId, reviewId],
  );
  return rows[0] ? toView(rows[0]) : null;
}

/** A review's status, or `any`. */
export const ANY_STATUS = 'any';

/**
 * Oldest first, so the longest-waiting review is worked first; cursor as for documents.
 * `status` may be `any`; `documentId` keeps the reviews of one document.
 */
export async function listReviews(
  db: Queryable,
  tenantId: string,
  status: string,
  page: { limit: number; cursor?: string },
  documentId?: string,
): Promise<{ items: ReviewView[]; nextCursor: string | null }> {
  const values: unknown[] = [tenantId];
  let where = 'tenant_id = $1';
  const and = (condition: (at: string) => string, value: unknown) => {
    values.push(value);
    where += ` AND ${condition(`$${values.length}`)}`;
  };
  if (status !== ANY_STATUS) and((at) => `status = ${at}`, status);
  if (documentId) and((at) => `document_id = ${at}`, documentId);
  if (page.cursor) {
    const [at, id] = decodeCursor(page.cursor);
    values.push(at, id);
    where += ` AND (requested_at, review_id) > ($${values.length - 1}, $${values.length})`;
  }
  values.push(page.limit + 1);
  const { rows } = await db.query<ReviewRow>(
    `SELECT ${COLUMNS} FROM reviews WHERE ${where}
     ORDER BY requested_at, review_id LIMIT $${values.length}`,
    values,
  );
  return pageOf(rows.map(toView), page.limit, (item) => [item.requestedAt, item.id]);
}
