import { invalid, notFound } from '../../infra/errors.ts';
import type { EventLog } from '../../infra/kafka/event-log.ts';
import { type Pool, type PoolClient, withTenant } from '../../infra/postgres.ts';
import type { LogPosition } from '../../schemas/events.ts';
import { eventLogUnavailable } from '../errors.ts';
import { conflict, knownPatient } from '../patients/lookup.ts';
import { type Decision, type OpenReview, resolutionEvents } from './resolution.ts';

export interface ResolveRequest extends Decision {
  tenantId: string;
  reviewId: string;
  correlationId: string;
}

export interface ResolveAccepted {
  reviewId: string;
  documentId: string;
  resolution: string;
  /** The patient the document now belongs to; null when rejected. */
  patientId: string | null;
  /** Where the ReviewResolved event landed on the document log. */
  position: LogPosition;
  /** Where the PatientRegistered event landed on the patient log, when one was registered. */
  patientPosition: LogPosition | null;
}

export type ResolveReview = (request: ResolveRequest) => Promise<ResolveAccepted>;

const alreadyResolved = () =>
  conflict('REVIEW_ALREADY_RESOLVED', 'the review has already been resolved');

/**
 * Records a reviewer's decision on a patient-match review. A write-side row per review, inserted
 * in the transaction that appends the events, lets only the first of two concurrent decisions in.
 */
export function createReviewResolver(deps: {
  pool: Pool;
  eventLog: EventLog;
  now: () => number;
  newId: () => string;
}): ResolveReview {
  return (request) =>
    withTenant(deps.pool, request.tenantId, async (db) => {
      const review = await openReview(db, request.tenantId, request.reviewId);
      const patientId = await assignee(db, request);
      const { rowCount } = await db.query(
        `INSERT INTO write_side.review_resolutions
           (tenant_id, review_id, resolution, patient_id, resolved_by)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, review_id) DO NOTHING`,
        [request.tenantId, request.reviewId, request.action, patientId, request.actor],
      );
      if (rowCount === 0) throw alreadyResolved();
      const { patientFact, resolved } = resolutionEvents(
        review,
        { ...request, patientId },
        {
          tenantId: request.tenantId,
          correlationId: request.correlationId,
          now: deps.now(),
          newId: deps.newId,
        },
      );
      try {
        const patientPosition = patientFact ? await deps.eventLog.append(patientFact) : null;
        return {
          reviewId: review.reviewId,
          documentId: review.documentId,
          resolution: resolved.data.resolution,
          patientId: resolved.data.patientId,
          position: await deps.eventLog.append(resolved),
          patientPosition,
        };
      } catch (cause) {
        throw eventLogUnavailable(cause);
      }
    });
}

async function openReview(db: PoolClient, tenantId: string, reviewId: string): Promise<OpenReview> {
  const { rows } = await db.query(
    `SELECT review_id, document_id, round, score, subject, candidates, status, requested_by_event
     FROM reviews WHERE tenant_id = $1 AND review_id = $2`,
    [tenantId, reviewId],
  );
  const row = rows[0];
  if (!row) throw notFound('REVIEW_NOT_FOUND', 'no such review for this tenant');
  if (row.status === 'superseded') {
    throw conflict(
      'REVIEW_SUPERSEDED',
      'the document was processed again since: resolve its latest review instead',
    );
  }
  if (row.status !== 'open') throw alreadyResolved();
  return {
    reviewId: row.review_id,
    documentId: row.document_id,
    round: row.round,
    score: row.score,
    subject: row.subject,
    candidates: row.candidates,
    requestedByEvent: row.requested_by_event,
  };
}

/** For `assign`, the patient named, or the survivor it was merged into. */
async function assignee(db: PoolClient, request: ResolveRequest): Promise<string | null> {
  if (request.action !== 'assign') {
    if (request.patientId) {
      throw invalid('PATIENT_ID_NOT_EXPECTED', 'patientId is only given to assign a patient');
    }
    return null;
  }
  if (!request.patientId) throw invalid('PATIENT_ID_REQUIRED', 'assign needs a patientId');
  const patient = await knownPatient(db, request.tenantId, request.patientId);
  return patient.mergedInto ?? patient.patientId;
}
