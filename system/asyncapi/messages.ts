import { DEAD_LETTER_HEADERS } from '../../infra/kafka/dead-letter.ts';
import { HEADERS } from '../../infra/kafka/event-log.ts';
import { REDRIVE_OF_HEADER } from '../../processors/runtime/dead-letters.ts';
import { type AggregateKind, eventSchema, readAvsc } from '../../schemas/catalog.ts';
import { subjectFor } from '../../schemas/codec.ts';
import type { EventType } from '../../schemas/events.ts';

export const AVRO_FORMAT = 'application/vnd.apache.avro;version=1.9.0';
export const KAFKA_BINDING = '0.5.0';
export const CORRELATION_ID = { $ref: '#/components/correlationIds/correlation' };

const text = (description: string, extra: Record<string, unknown> = {}) => ({
  type: 'string',
  description,
  ...extra,
});

/** What each log is keyed by: all of a key's events are on one partition, in order. */
export const KEY_OF: Record<AggregateKind, string> = {
  document: 'the document id',
  patient: 'the patient id',
  batch: 'the batch id',
  audit: 'the tenant id',
  digest: 'the digested topic and partition (`<topic>:<partition>`)',
};

const keySchema = (aggregate: AggregateKind) =>
  text(`${KEY_OF[aggregate]}: all of a key's events are on one partition, in order`);

const EVENT_HEADERS: Record<keyof typeof HEADERS, string> = {
  eventType: 'The event type, as in the envelope: skip events without decoding them',
  tenantId: 'The tenant the event belongs to, as in the envelope',
  correlationId: 'The upload or batch the event belongs to, as in the envelope',
  eventId: "The event's id, as in the envelope: deduplicate on it",
};

const DEAD_LETTER_HEADER_DOCS: Record<keyof typeof DEAD_LETTER_HEADERS, string> = {
  reason: 'Why the consumer gave up on the message',
  consumer: 'The consumer that gave up on it (a processor, or projection-<name>)',
  topic: 'The topic the message was read from',
  partition: 'Its partition there (decimal)',
  offset: 'Its offset there (decimal)',
};

function eventHeaders(type?: EventType) {
  const properties = Object.fromEntries(
    (Object.keys(HEADERS) as (keyof typeof HEADERS)[]).map((name) => [
      HEADERS[name],
      text(EVENT_HEADERS[name], {
        ...(name === 'eventType' && type ? { const: type } : {}),
        ...(name === 'eventId' ? { format: 'uuid' } : {}),
      }),
    ]),
  );
  return properties;
}

const KAFKA_VALUE_BINDING = {
  schemaIdLocation: 'payload',
  schemaIdPayloadEncoding: 'confluent',
  schemaLookupStrategy: 'TopicRecordNameStrategy',
  bindingVersion: KAFKA_BINDING,
};

/** One event type: its Avro schema as registered, its key, headers and registry subject. */
export function eventMessage(type: EventType, aggregate: AggregateKind, topic: string) {
  return {
    name: type,
    title: type,
    summary: readAvsc(type).doc ?? type,
    description: [
      `On \`${topic}\`, keyed by ${KEY_OF[aggregate]}.`,
      'The value is in the Confluent wire format: byte 0 is 0, bytes 1-4 the schema id (big-endian),',
      'then the Avro binary encoding of the record below. The schema is registered under the',
      `subject \`${subjectFor(topic, type)}\` (TopicRecordNameStrategy, BACKWARD compatible).`,
    ].join(' '),
    contentType: 'application/octet-stream',
    headers: {
      type: 'object',
      required: Object.values(HEADERS),
      properties: eventHeaders(type),
    },
    payload: { schemaFormat: AVRO_FORMAT, schema: eventSchema(type) },
    correlationId: CORRELATION_ID,
    bindings: {
      kafka: { key: keySchema(aggregate), ...KAFKA_VALUE_BINDING },
    },
    'x-schema-subject': subjectFor(topic, type),
  };
}

const ORIGINAL_BYTES = {
  type: 'string',
  format: 'binary',
  description:
    "The original message's value byte for byte: usually an event of the original topic in the " +
    'Confluent wire format, but possibly bytes that could not be decoded at all',
};

const ORIGINAL_KEY = text("The original message's key, unchanged");

/** A message a consumer gave up on, copied with its key, value and headers. */
export const deadLetterMessage = {
  name: 'DeadLetter',
  title: 'Dead letter',
  summary: 'A message a consumer gave up on: the original, with why and where it was read.',
  description:
    'The original key, value and headers, plus the dlq-* headers. Read it to investigate; ' +
    '`npm run dlq -- redrive` sends a processor its letters again through its redrive topic.',
  contentType: 'application/octet-stream',
  headers: {
    type: 'object',
    required: Object.values(DEAD_LETTER_HEADERS),
    properties: {
      ...eventHeaders(),
      ...Object.fromEntries(
        (Object.keys(DEAD_LETTER_HEADERS) as (keyof typeof DEAD_LETTER_HEADERS)[]).map((name) => [
          DEAD_LETTER_HEADERS[name],
          text(DEAD_LETTER_HEADER_DOCS[name]),
        ]),
      ),
    },
  },
  payload: ORIGINAL_BYTES,
  correlationId: CORRELATION_ID,
  bindings: { kafka: { key: ORIGINAL_KEY, ...KAFKA_VALUE_BINDING } },
};

/** A dead letter sent back to the one processor that gave up on it. */
export const redrivenMessage = {
  name: 'Redriven',
  title: 'Redriven dead letter',
  summary: 'A dead letter sent back to its processor alone, to try again.',
  description:
    'The original key, value and headers (without the dlq-* headers), plus the letter it came ' +
    'from. Only the processor reads it: the other consumers of the log never see an event twice.',
  contentType: 'application/octet-stream',
  headers: {
    type: 'object',
    required: [REDRIVE_OF_HEADER],
    properties: {
      ...eventHeaders(),
      [REDRIVE_OF_HEADER]: text('The dead letter it came from: <partition>:<offset> in the DLQ'),
    },
  },
  payload: ORIGINAL_BYTES,
  correlationId: CORRELATION_ID,
  bindings: { kafka: { key: ORIGINAL_KEY, ...KAFKA_VALUE_BINDING } },
};

/** An `EntitiesExtracted` copied from the document log for the matcher, keyed by its tenant. */
export function matchRequestMessage(documentTopic: string) {
  const event = eventMessage('EntitiesExtracted', 'document', documentTopic);
  return {
    ...event,
    name: 'MatchRequest',
    title: 'Match request',
    summary: "A copy of the document log's EntitiesExtracted, for the patient matcher",
    description:
      `The value and headers of an \`EntitiesExtracted\` of \`${documentTopic}\`, byte for byte ` +
      '(the same wire format and schema subject), keyed by the tenant id.',
    bindings: {
      kafka: {
        ...event.bindings.kafka,
        key: text("The tenant id: all of a tenant's requests are on one partition, in order"),
      },
    },
  };
}
