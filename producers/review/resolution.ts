import { createHash } from 'node:crypto';
import type {
  MatchCandidate,
  PatientRecordLinked,
  PatientRegistered,
  PatientSubject,
  ReviewResolved,
} from '../../schemas/events.ts';
import { newMetadata } from '../event-metadata.ts';

export const REVIEW_ACTIONS = ['assign', 'register', 'reject'] as const;
export type ReviewAction = (typeof REVIEW_ACTIONS)[number];

const RESOLUTION: Record<ReviewAction, 'assigned' | 'registered' | 'rejected'> = {
  assign: 'assigned',
  register: 'registered',
  reject: 'rejected',
};

/** A review waiting for a reviewer, as the reviews read model holds it. */
export interface OpenReview {
  reviewId: string;
  documentId: string;
  round: number;
  score: number;
  subject: PatientSubject;
  candidates: MatchCandidate[];
  /** The PatientMatchReviewRequired event, cause of the resolution. */
  requestedByEvent: string;
}

export interface Decision {
  action: ReviewAction;
  /** For `assign`: the patient, merges already followed to the survivor. */
  patientId: string | null;
  /** The principal who decided: `user:<subject>` or `key:<id>`. */
  actor: string;
  note: string | null;
}

export interface Context {
  tenantId: string;
  correlationId: string;
  now: number;
  newId: () => string;
}

/**
 * The patient a review registers. Derived from the review, so that if the resolution is refused
 * after the registration was appended, resolving again registers that same patient, not another.
 */
export function patientIdForReview(tenantId: string, reviewId: string): string {
  const hex = createHash('sha256')
    .update(`review-registration\n${tenantId}\n${reviewId}`)
    .digest('hex');
  const variant = ((Number.parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The events a reviewer's decision appends: on the patient log, a registration when it makes a
 * patient, or the link of the document's identifiers to the patient it assigns; then the
 * resolution on the document's log.
 */
export function resolutionEvents(
  review: OpenReview,
  decision: Decision,
  context: Context,
): { patientFact: PatientRegistered | PatientRecordLinked | null; resolved: ReviewResolved } {
  const stamp = { now: () => context.now, newId: context.newId };
  const metadata = (aggregateId: string, causationId: string) =>
    newMetadata(stamp, {
      tenantId: context.tenantId,
      aggregateId,
      correlationId: context.correlationId,
      causationId,
      actor: decision.actor,
    });
  let patientFact: PatientRegistered | PatientRecordLinked | null = null;
  let patientId = decision.action === 'assign' ? decision.patientId : null;
  if (patientId && review.subject.identifiers.length > 0) {
    patientFact = {
      type: 'PatientRecordLinked',
      metadata: metadata(patientId, review.requestedByEvent),
      data: { documentId: review.documentId, round: review.round, subject: review.subject },
    };
  }
  if (decision.action === 'register') {
    patientId = patientIdForReview(context.tenantId, review.reviewId);
    patientFact = {
      type: 'PatientRegistered',
      metadata: metadata(patientId, review.requestedByEvent),
      data: {
        documentId: review.documentId,
        round: review.round,
        score: review.score,
        subject: review.subject,
        candidates: review.candidates,
        reason: 'review',
      },
    };
  }
  const resolved: ReviewResolved = {
    type: 'ReviewResolved',
    metadata: metadata(
      review.documentId,
      patientFact ? patientFact.metadata.eventId : review.requestedByEvent,
    ),
    data: {
      round: review.round,
      reviewId: review.reviewId,
      resolution: RESOLUTION[decision.action],
      patientId,
      note: decision.note,
    },
  };
  return { patientFact, resolved };
}
