import { readFileSync } from 'node:fs';
import type { AggregateKind } from '../infra/kafka/topics.ts';
import type { EventType } from './events.ts';

export const NAMESPACE = 'docstream.events';

/** Every event type, the log it belongs to; one `.avsc` file each under schemas/avro. */
export const EVENT_CATALOG: Record<EventType, { aggregate: AggregateKind }> = {
  DocumentUploaded: { aggregate: 'document' },
};

export const EVENT_TYPES = Object.keys(EVENT_CATALOG) as EventType[];

export type AvroRecordSchema = {
  type: 'record';
  name: string;
  namespace?: string;
  fields: Array<{ name: string; type: unknown; default?: unknown; doc?: string }>;
};

function readAvsc(name: string): AvroRecordSchema {
  return JSON.parse(readFileSync(new URL(`./avro/${name}.avsc`, import.meta.url), 'utf8'));
}

/**
 * The self-contained schema of one event type: the Envelope record is written out in place of
 * its name, so each subject in the registry stands alone.
 */
export function eventSchema(type: EventType): AvroRecordSchema {
  const envelope = readAvsc('Envelope');
  const schema = readAvsc(type);
  const envelopeName = `${NAMESPACE}.Envelope`;
  return {
    ...schema,
    fields: schema.fields.map((f) => (f.type === envelopeName ? { ...f, type: envelope } : f)),
  };
}

export function fullName(type: EventType): string {
  return `${NAMESPACE}.${type}`;
}
