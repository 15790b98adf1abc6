import { describe, expect, it } from 'vitest';
import { patientSubject } from '../../test/support/events.ts';
import { type OpenReview, patientIdForReview, resolutionEvents } from './resolution.ts';

const review: OpenReview = {
  reviewId: 'review-1',
  documentId: 'doc-1',
  round: 2,
  score: 0.71,
  subject: patientSubject(),
  candidates: [{ patientId: 'patient-9', score: 0.71, evidence: [] }],
  requestedByEvent: 'event-requested',
};

const context = () => {
  let n = 0;
  return { tenantId: 'tenant-a', correlationId: 'corr-1', now: 1_000, newId: () => `id-${++n}` };
};

describe('a reviewer decision as events', () => {
  it('registers the subject as a new patient, then resolves the review to it', () => {
    const { patientFact: registered, resolved } = resolutionEvents(
      review,
      { action: 'register', patientId: null, actor: 'user:ana', note: 'not in the index' },
      context(),
    );
    const patientId = patientIdForReview('tenant-a', 'review-1');
    expect(registered).toEqual({
      type: 'PatientRegistered',
      metadata: {
        eventId: 'id-1',
        occurredAt: 1_000,
        tenantId: 'tenant-a',
        aggregateId: patientId,
        correlationId: 'corr-1',
        causationId: 'event-requested',
        actor: 'user:ana',
      },
      data: {
        documentId: 'doc-1',
        round: 2,
        score: 0.71,
        subject: review.subject,
        candidates: review.candidates,
        reason: 'review',
      },
    });
    expect(resolved).toMatchObject({
      type: 'ReviewResolved',
      metadata: { aggregateId: 'doc-1', causationId: 'id-1', actor: 'user:ana' },
      data: {
        round: 2,
        reviewId: 'review-1',
        resolution: 'registered',
        patientId,
        note: 'not in the index',
      },
    });
  });

  it('assigns the given patient, caused by the review request', () => {
    const { patientFact, resolved } = resolutionEvents(
      review,
      { action: 'assign', patientId: 'patient-9', actor: 'user:ana', note: null },
      context(),
    );
    // The document's identifiers now lead to the patient a reviewer chose.
    expect(patientFact).toMatchObject({
      type: 'PatientRecordLinked',
      metadata: { aggregateId: 'patient-9', causationId: 'event-requested' },
      data: { documentId: review.documentId, subject: review.subject },
    });
    expect(resolved).toMatchObject({
      metadata: { causationId: patientFact?.metadata.eventId },
      data: { resolution: 'assigned', patientId: 'patient-9' },
    });
  });

  it('rejects without a patient', () => {
    const { resolved } = resolutionEvents(
      review,
      { action: 'reject', patientId: 'ignored', actor: 'user:ana', note: null },
      context(),
    );
    expect(resolved.data).toMatchObject({ resolution: 'rejected', patientId: null });
  });

  it('derives one patient id per review, shaped as a UUID', () => {
    const id = patientIdForReview('tenant-a', 'review-1');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(patientIdForReview('tenant-a', 'review-1')).toBe(id);
    expect(patientIdForReview('tenant-a', 'review-2')).not.toBe(id);
    expect(patientIdForReview('tenant-b', 'review-1')).not.toBe(id);
  });
});
