import type { DocumentEvent } from '../../schemas/events.ts';
import type { DocumentEntities } from '../entities/queries.ts';

/**
 * A document's entities as the `entities` read model keeps them: the first extraction of the
 * highest round seen; an older round's, arriving late, changes nothing.
 */
export function evolveEntities(
  state: DocumentEntities | null,
  event: DocumentEvent,
): DocumentEntities | null {
  if (event.type !== 'EntitiesExtracted') return state;
  if (state && state.round >= event.data.round) return state;
  return {
    documentId: event.metadata.aggregateId,
    round: event.data.round,
    dateFormat: event.data.dateFormat,
    extractedAt: new Date(event.metadata.occurredAt).toISOString(),
    entities: { ...event.data },
  };
}

export const foldEntities = (events: readonly DocumentEvent[]): DocumentEntities | null =>
  events.reduce(evolveEntities, null as DocumentEntities | null);
