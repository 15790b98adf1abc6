import type { DomainEvent } from '../../schemas/events.ts';
import type { Draft } from './processor.ts';

export interface Clock {
  now(): number;
  newId(): string;
}

/** Gives a processor's draft its envelope: same document and correlation, caused by `cause`. */
export function envelop(
  draft: Draft,
  cause: Pick<DomainEvent, 'metadata'>,
  actor: string,
  clock: Clock,
): DomainEvent {
  return {
    type: draft.type,
    data: draft.data,
    metadata: {
      eventId: clock.newId(),
      occurredAt: clock.now(),
      tenantId: cause.metadata.tenantId,
      aggregateId: draft.aggregateId ?? cause.metadata.aggregateId,
      correlationId: cause.metadata.correlationId,
      causationId: cause.metadata.eventId,
      actor,
    },
  } as DomainEvent;
}
