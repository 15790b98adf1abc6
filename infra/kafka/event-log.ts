import type { IHeaders, Message, Producer } from 'kafkajs';
import { EVENT_CATALOG } from '../../schemas/catalog.ts';
import type { EventCodec } from '../../schemas/codec.ts';
import type { DomainEvent, LogPosition } from '../../schemas/events.ts';
import type { TopicNames } from './topics.ts';

export const HEADERS = {
  eventType: 'event-type',
  tenantId: 'tenant-id',
  correlationId: 'correlation-id',
  eventId: 'event-id',
} as const;

/** Headers let a consumer skip an event without decoding its body. */
export function eventHeaders(event: DomainEvent): IHeaders {
  return {
    [HEADERS.eventType]: event.type,
    [HEADERS.tenantId]: event.metadata.tenantId,
    [HEADERS.correlationId]: event.metadata.correlationId,
    [HEADERS.eventId]: event.metadata.eventId,
  };
}

export function topicOf(event: DomainEvent, topics: TopicNames): string {
  return topics.events[EVENT_CATALOG[event.type].aggregate];
}

export async function toKafkaMessage(event: DomainEvent, codec: EventCodec): Promise<Message> {
  return {
    key: event.metadata.aggregateId,
    value: await codec.encode(event),
    headers: eventHeaders(event),
    timestamp: String(event.metadata.occurredAt),
  };
}

/** The write side's port to the log: appends one event and says where it landed. */
export interface EventLog {
  append(event: DomainEvent): Promise<LogPosition>;
}

export function createEventLog(
  producer: Producer,
  codec: EventCodec,
  topics: TopicNames,
): EventLog {
  return {
    async append(event) {
      const topic = topicOf(event, topics);
      const [meta] = await producer.send({
        topic,
        acks: -1,
        messages: [await toKafkaMessage(event, codec)],
      });
      if (!meta?.baseOffset) throw new Error(`no offset returned for ${event.type} on ${topic}`);
      return { topic, partition: meta.partition, offset: meta.baseOffset };
    },
  };
}
