import { describe, expect, it } from 'vitest';
import type { DocumentEvent } from '../../schemas/events.ts';
import { chainOf, documentUploaded, matchingOf } from '../../test/support/events.ts';
import { foldDocument, until } from './document-state.ts';

const at = (minute: number) => Date.parse(`2026-11-30T10:${String(minute).padStart(2, '0')}:00Z`);
const atMinute = <E extends DocumentEvent>(event: E, minute: number): E => ({
  ...event,
  metadata: { ...event.metadata, occurredAt: at(minute) },
});

/** A document uploaded at :00, validated :01, text :02, classified :03, matched :04. */
function matchedDocument() {
  const upload = atMinute(documentUploaded(), 0);
  const chain = chainOf(upload);
  const matching = matchingOf(upload);
  const events: DocumentEvent[] = [
    upload,
    atMinute(chain.validated({ pageCount: 2 }), 1),
    atMinute(chain.textExtracted(['GLUCOSA 98 mg/dL']), 2),
    atMinute(chain.classified('lab-result'), 3),
    atMinute(matching.patientMatched('patient-1', { score: 0.97 }), 4),
  ];
  return { upload, chain, matching, events };
}

const foldedAt = (events: DocumentEvent[], minute: number) =>
  foldDocument(until(events, new Date(at(minute))));

describe('a document folded up to a time', () => {
  it('given nothing yet uploaded, when folded before the upload, then there is no document', () => {
    expect(foldedAt(matchedDocument().events, -1)).toBeNull();
  });

  it('given the chain, when folded between text and classification, then it shows text only', () => {
    const view = foldedAt(matchedDocument().events, 2);
    expect(view).toMatchObject({
      status: 'text-extracted',
      pageCount: 2,
      text: { method: 'text-layer', language: 'spa', chars: 16 },
      classification: null,
      patientMatch: null,
      updatedAt: new Date(at(2)).toISOString(),
    });
  });

  it('given the chain, when folded after the match, then it is classified and linked', () => {
    const view = foldedAt(matchedDocument().events, 59);
    expect(view).toMatchObject({
      status: 'classified',
      classification: { documentType: 'lab-result', confidence: 0.9 },
      patientMatch: { status: 'matched', patientId: 'patient-1', method: 'identifier' },
    });
  });

  it('given a review resolved later, when folded before and after, then the link appears after', () => {
    const { upload, events } = matchedDocument();
    const matching = matchingOf(upload);
    const withReview = [
      ...events.slice(0, 4),
      atMinute(matching.reviewRequired('review-1', [], { score: 0.7 }), 4),
      atMinute(matching.reviewResolved('review-1', 'assigned', 'patient-2'), 10),
    ];
    expect(foldedAt(withReview, 9)?.patientMatch).toEqual({
      status: 'review',
      patientId: null,
      score: 0.7,
      method: null,
      reviewId: 'review-1',
    });
    expect(foldedAt(withReview, 10)?.patientMatch).toEqual({
      status: 'matched',
      patientId: 'patient-2',
      score: 0.7,
      method: 'review',
      reviewId: 'review-1',
    });
  });

  it('given a resolution of another review, when folded, then it changes nothing', () => {
    const { upload, events } = matchedDocument();
    const matching = matchingOf(upload);
    const stale = [
      ...events.slice(0, 4),
      atMinute(matching.reviewRequired('review-2', []), 4),
      atMinute(matching.reviewResolved('review-1', 'assigned', 'patient-2'), 5),
    ];
    expect(foldedAt(stale, 59)?.patientMatch).toMatchObject({
      status: 'review',
      reviewId: 'review-2',
    });
  });

  it('given a reprocess, when folded after it, then the new round starts again and old-round events are ignored', () => {
    const { chain, events } = matchedDocument();
    const later = [
      ...events,
      atMinute(chain.reprocessRequested(2), 20),
      // The first round's classifier finishing late: not the current round any more.
      atMinute(chain.classified('prescription', 1), 21),
    ];
    expect(foldedAt(later, 59)).toMatchObject({
      round: 2,
      status: 'uploaded',
      patientMatch: null,
      quality: null,
      classification: { documentType: 'lab-result' },
      updatedAt: new Date(at(20)).toISOString(),
    });
  });

  it('given a rejection or a failure, when folded, then the status carries the reason', () => {
    const { upload, chain } = matchedDocument();
    expect(foldedAt([upload, atMinute(chain.rejected('PDF_ENCRYPTED'), 1)], 59)).toMatchObject({
      status: 'rejected',
      statusReason: 'PDF_ENCRYPTED',
      statusMessage: 'rejected: PDF_ENCRYPTED',
    });
    expect(foldedAt([upload, atMinute(chain.failed('extract-text'), 1)], 59)).toMatchObject({
      status: 'failed',
      statusReason: 'PROCESSING_FAILED',
      statusMessage: 'extract-text gave up: Error: boom',
    });
  });

  it('given the same upload twice, when folded, then the first one stands', () => {
    const { upload } = matchedDocument();
    const again = atMinute({ ...upload, data: { ...upload.data, fileName: 'other.pdf' } }, 1);
    expect(foldedAt([upload, again], 59)?.fileName).toBe(upload.data.fileName);
  });
});
