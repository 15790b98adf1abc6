import { describe, expect, it } from 'vitest';
import type { DocumentEvent } from '../../schemas/events.ts';
import { chainOf, documentUploaded, matchingOf } from '../../test/support/events.ts';
import { until } from './document-state.ts';
import { foldEntities } from './entities-state.ts';

const at = (minute: number) => Date.parse(`2026-11-30T10:${String(minute).padStart(2, '0')}:00Z`);
const atMinute = <E extends DocumentEvent>(event: E, minute: number): E => ({
  ...event,
  metadata: { ...event.metadata, occurredAt: at(minute) },
});

describe("a document's entities folded up to a time", () => {
  const upload = atMinute(documentUploaded(), 0);
  const matching = matchingOf(upload);
  const events = [
    upload,
    atMinute(chainOf(upload).textExtracted(['GLUCOSA 98']), 1),
    atMinute(matching.entitiesExtracted({ dateFormat: 'DMY' }), 2),
    atMinute(chainOf(upload).reprocessRequested(2), 3),
    atMinute(matching.entitiesExtracted({ round: 2, dateFormat: 'MDY' }), 4),
    atMinute(matching.entitiesExtracted({ round: 1, dateFormat: 'DMY' }), 5),
  ];
  const foldedAt = (minute: number) => foldEntities(until(events, new Date(at(minute))));

  it('given text only, when folded before extraction, then there are none', () => {
    expect(foldedAt(1)).toBeNull();
  });

  it('given the first extraction, when folded after it, then it is the first round', () => {
    expect(foldedAt(3)).toMatchObject({
      round: 1,
      dateFormat: 'DMY',
      extractedAt: new Date(at(2)).toISOString(),
      entities: { patientName: { value: 'PEREZ LOPEZ, ANA' } },
    });
  });

  it('given a newer round and a late older one, when folded, then the newer round stands', () => {
    expect(foldedAt(59)).toMatchObject({ round: 2, dateFormat: 'MDY' });
  });
});
