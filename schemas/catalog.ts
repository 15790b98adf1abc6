import { readFileSync } from 'node:fs';
import type { EventType } from './events.ts';

export const NAMESPACE = 'docstream.events';

/** Each kind of aggregate has one ordered log (topic), keyed by the aggregate's id. */
/** `digest`: the log of the digest chains of every other topic (see infra/log-digest). */
export type AggregateKind = 'document' | 'patient' | 'batch' | 'audit' | 'digest';

/** The topic of each aggregate kind's log. */
export type EventLogTopics = Readonly<Record<AggregateKind, string>>;

/** Every event type, the log it belongs to; one `.avsc` file each under schemas/avro. */
export const EVENT_CATALOG: Record<EventType, { aggregate: AggregateKind }> = {
  DocumentUploaded: { aggregate: 'document' },
  DocumentReprocessRequested: { aggregate: 'document' },
  DocumentValidated: { aggregate: 'document' },
  DocumentRejected: { aggregate: 'document' },
  ArchiveExpanded: { aggregate: 'document' },
  TextExtracted: { aggregate: 'document' },
  DocumentClassified: { aggregate: 'document' },
  DocumentProcessingFailed: { aggregate: 'document' },
  EntitiesExtracted: { aggregate: 'document' },
  QualityAssessed: { aggregate: 'document' },
  PatientMatched: { aggregate: 'document' },
  PatientMatchReviewRequired: { aggregate: 'document' },
  ReviewResolved: { aggregate: 'document' },
  DocumentTrashed: { aggregate: 'document' },
  DocumentRestored: { aggregate: 'document' },
  DocumentErased: { aggregate: 'document' },
  PatientRegistered: { aggregate: 'patient' },
  PatientRecordLinked: { aggregate: 'patient' },
  PatientsMerged: { aggregate: 'patient' },
  PatientErased: { aggregate: 'patient' },
  BatchOpened: { aggregate: 'batch' },
  BatchClosed: { aggregate: 'batch' },
  BatchCompleted: { aggregate: 'batch' },
  PatientDataRead: { aggregate: 'audit' },
  RetentionPolicyChanged: { aggregate: 'audit' },
  LogDigest: { aggregate: 'digest' },
};

export const EVENT_TYPES = Object.keys(EVENT_CATALOG) as EventType[];

/** Records several event schemas share; each subject gets them written out in place. */
export const SHARED_RECORDS = [
  'Envelope',
  'DocumentTypeHint',
  'Span',
  'PatientSubject',
  'MatchCandidate',
  'SealedPart',
] as const;

export interface AvroField {
  name: string;
  type: unknown;
  default?: unknown;
  doc?: string;
  /**
   * The only values a `string` field takes, for the TypeScript type generated from it. Avro
   * ignores the attribute, so the field stays a plain string on the wire: unlike an Avro enum,
   * a value added later does not break readers of the events already in the log. Decoding
   * does not check it.
   */
  tsLiterals?: string[];
  /**
   * Patient data: on the wire the field is blank and its value travels sealed in the event's
   * `sealed` parts (infra/crypto/sealed-events.ts). Avro and the generated types ignore it.
   */
  sealed?: boolean;
}

export interface AvroRecordSchema {
  type: 'record';
  name: string;
  namespace?: string;
  doc?: string;
  fields: AvroField[];
}

/** The schema of one `.avsc` file under schemas/avro, as written (shared records by name). */
export function readAvsc(name: string): AvroRecordSchema {
  return JSON.parse(readFileSync(new URL(`./avro/${name}.avsc`, import.meta.url), 'utf8'));
}

/**
 * The self-contained schema of one event type: each shared record is written out where its name
 * is first used, so each subject in the registry stands alone.
 */
export function eventSchema(type: EventType): AvroRecordSchema {
  const shared = new Map<string, AvroRecordSchema>(
    SHARED_RECORDS.map((name) => [`${NAMESPACE}.${name}`, readAvsc(name)]),
  );
  const inline = (node: unknown): unknown => {
    if (typeof node === 'string') {
      const record = shared.get(node);
      if (!record) return node;
      shared.delete(node);
      return record;
    }
    if (Array.isArray(node)) return node.map(inline);
    if (node && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, inline(v)]));
    }
    return node;
  };
  return inline(readAvsc(type)) as AvroRecordSchema;
}

export function fullName(type: EventType): string {
  return `${NAMESPACE}.${type}`;
}
