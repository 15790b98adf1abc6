import type {
  DocumentReprocessRequested,
  PatientErased,
  PatientMatchReviewRequired,
  ReviewResolved,
} from '../../schemas/events.ts';
import { defineProjection, type SqlStatement, sql } from '../runtime/projection.ts';

export const REVIEW_STATUSES = [
  'open',
  'assigned',
  'registered',
  'rejected',
  'superseded',
] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

const RESOLVED_STATUS: Record<string, ReviewStatus> = {
  assigned: 'assigned',
  registered: 'registered',
  rejected: 'rejected',
};

/**
 * Patient-match reviews: opened by the matcher, closed once by a reviewer's resolution, or
 * superseded when the document is processed again (its new round decides afresh).
 */
export const reviewsProjection = defineProjection({
  name: 'reviews',
  handlers: {
    PatientMatchReviewRequired: (event) => [opened(event)],
    ReviewResolved: resolved,
    DocumentReprocessRequested: (event) => [superseded(event)],
    DocumentErased: (event) => [
      sql(
        'DELETE FROM reviews WHERE tenant_id = $1 AND document_id = $2',
        event.metadata.tenantId,
        event.metadata.aggregateId,
      ),
    ],
    PatientErased: (event) => [withoutCandidates(event)],
  },
});

/** Other documents' reviews no longer offer the erased patients as candidates. */
function withoutCandidates(event: PatientErased): SqlStatement {
  return sql(
    `UPDATE reviews SET candidates = (
       SELECT coalesce(jsonb_agg(c ORDER BY n), '[]'::jsonb)
       FROM jsonb_array_elements(candidates) WITH ORDINALITY AS e(c, n)
       WHERE NOT (c->>'patientId' = ANY($2::text[])))
     WHERE tenant_id = $1 AND EXISTS (SELECT 1 FROM jsonb_array_elements(candidates) AS e(c)
       WHERE c->>'patientId' = ANY($2::text[]))`,
    event.metadata.tenantId,
    [event.metadata.aggregateId, ...event.data.mergedIds],
  );
}

function superseded(event: DocumentReprocessRequested): SqlStatement {
  const { tenantId, aggregateId, occurredAt } = event.metadata;
  return sql(
    `UPDATE reviews SET status = 'superseded', resolved_at = $4
     WHERE tenant_id = $1 AND document_id = $2 AND round < $3 AND status = 'open'`,
    tenantId,
    aggregateId,
    event.data.round,
    new Date(occurredAt),
  );
}

function opened(event: PatientMatchReviewRequired): SqlStatement {
  const { tenantId, aggregateId, occurredAt, eventId } = event.metadata;
  const d = event.data;
  return sql(
    `INSERT INTO reviews (tenant_id, review_id, document_id, round, score, subject, candidates,
       status, requested_at, requested_by_event)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (tenant_id, review_id) DO NOTHING`,
    tenantId,
    d.reviewId,
    aggregateId,
    d.round,
    d.score,
    JSON.stringify(d.subject),
    JSON.stringify(d.candidates),
    'open' satisfies ReviewStatus,
    new Date(occurredAt),
    eventId,
  );
}

function resolved(event: ReviewResolved): SqlStatement[] {
  const { tenantId, occurredAt, actor } = event.metadata;
  const status = RESOLVED_STATUS[event.data.resolution];
  if (!status) return [];
  return [
    sql(
      `UPDATE reviews SET status = $3, resolved_at = $4, resolved_by = $5, patient_id = $6,
         note = $7
       WHERE tenant_id = $1 AND review_id = $2 AND status = 'open'`,
      tenantId,
      event.data.reviewId,
      status,
      new Date(occurredAt),
      actor,
      event.data.patientId,
      event.data.note,
    ),
  ];
}
