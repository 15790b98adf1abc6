import type { EventMetadata } from '../schemas/events.ts';

/** Where a new event's id and time come from. */
export interface EventStamp {
  now: () => number;
  newId: () => string;
}

/**
 * The metadata of an event a command appends, with a new id and the current time. An event a
 * request starts has no cause; one that follows another event names it as `causationId`.
 */
export function newMetadata(
  stamp: EventStamp,
  event: Omit<EventMetadata, 'eventId' | 'occurredAt' | 'causationId'> & {
    causationId?: string | null;
  },
): EventMetadata {
  return {
    eventId: stamp.newId(),
    occurredAt: stamp.now(),
    tenantId: event.tenantId,
    aggregateId: event.aggregateId,
    correlationId: event.correlationId,
    causationId: event.causationId ?? null,
    actor: event.actor,
  };
}
