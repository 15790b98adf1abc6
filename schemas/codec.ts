import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import TimeoutMiddleware from 'mappersmith/middleware/timeout';
import {
  EVENT_CATALOG,
  EVENT_TYPES,
  type EventLogTopics,
  eventSchema,
  fullName,
  NAMESPACE,
} from './catalog.ts';
import type { DomainEvent, EventType, SealedPart } from './events.ts';

/** A message that can never be decoded by this build: it belongs in a dead-letter topic. */
export class UndecodableEventError extends Error {
  readonly retriable = false;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UndecodableEventError';
  }
}

export interface EventCodec {
  encode(event: DomainEvent): Promise<Buffer>;
  decode(message: Buffer): Promise<DomainEvent>;
}

/**
 * Seals the patient data of an event as it is encoded and opens it as it is decoded (see
 * infra/crypto/sealing-codec.ts): the domain event is the same either side, only the wire differs.
 */
export interface FieldSealer {
  /** The data as it goes on the wire, its sealed fields blank, and the parts that hold them. */
  seal(event: DomainEvent): Promise<{ data: unknown; sealed: SealedPart[] }>;
  /**
   * The event with what its parts hold put back; throws UndecodableEventError for a part that
   * is not what was sealed. A part whose key was destroyed leaves its fields blank.
   */
  open(event: DomainEvent, sealed: readonly SealedPart[]): Promise<DomainEvent>;
}

/** TopicRecordNameStrategy: `<topic>-<record full name>`. */
export function subjectFor(topic: string, type: EventType): string {
  return `${topic}-${fullName(type)}`;
}

const REGISTRY_REQUEST_TIMEOUT_MS = 10_000;
// The registry client is typed against mappersmith's CommonJS build, this import its ESM one.
type RegistryMiddleware = NonNullable<
  ConstructorParameters<typeof SchemaRegistry>[0]['middlewares']
>[number];

/** HTTP basic credentials for the registry; undefined for one that takes anyone. */
// A type, not an interface, so that it fits the client's `Record<string, string>`.
export type RegistryAuth = { username: string; password: string };

/**
 * A registry request that gets no answer fails after a timeout and is tried again, like a 5xx,
 * rather than holding start-up (or a decode) forever. Writes are tried again too: registering a
 * schema the registry holds answers its id, and setting a subject's compatibility is idempotent.
 */
export function createSchemaRegistry(
  url: string,
  auth: RegistryAuth | undefined,
  timeoutMs = REGISTRY_REQUEST_TIMEOUT_MS,
): SchemaRegistry {
  return new SchemaRegistry({
    host: url,
    auth,
    clientId: 'docstream',
    middlewares: [TimeoutMiddleware(timeoutMs) as unknown as RegistryMiddleware],
    retry: {
      retries: 3,
      enableRetry: () => true,
      validateRetry: (response) =>
        response.responseStatus >= 500 || response.error()?.name === 'TimeoutError',
    },
  });
}

/** The Authorization header of a direct request to the registry (the client sends its own). */
export function registryAuthHeaders(auth: RegistryAuth | undefined): Record<string, string> {
  if (!auth) return {};
  const basic = Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
  return { authorization: `Basic ${basic}` };
}

/**
 * Registers every event schema under its topic's subject with BACKWARD compatibility; the
 * registry refuses an incompatible change, which stops start-up before anything is written.
 */
export async function registerEventSchemas(
  registry: SchemaRegistry,
  topics: { readonly events: EventLogTopics },
): Promise<Map<EventType, number>> {
  const ids = new Map<EventType, number>();
  for (const type of EVENT_TYPES) {
    const topic = topics.events[EVENT_CATALOG[type].aggregate];
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(eventSchema(type)) },
      { subject: subjectFor(topic, type), compatibility: COMPATIBILITY.BACKWARD },
    );
    ids.set(type, id);
  }
  return ids;
}

const typeByFullName = new Map(EVENT_TYPES.map((t) => [fullName(t), t]));

/**
 * Encodes with this build's writer schemas; decodes any registered version into them. With a
 * sealer, the fields schemas mark `sealed` are sealed on the way out and opened on the way in;
 * without one they are written in clear, and sealed ones read back blank.
 */
export function createEventCodec(
  registry: SchemaRegistry,
  schemaIds: ReadonlyMap<EventType, number>,
  sealer?: FieldSealer,
): EventCodec {
  const schemas = new Map(EVENT_TYPES.map((t) => [t, eventSchema(t)]));
  const readers = new Map(
    EVENT_TYPES.map((t) => [t, avro.Type.forSchema(schemas.get(t) as never)]),
  );
  const withParts = new Set(
    EVENT_TYPES.filter((t) => schemas.get(t)?.fields.some((f) => f.name === 'sealed')),
  );
  const resolvers = new Map<
    number,
    { type: EventType; resolver: avro.Resolver; reader: avro.Type }
  >();

  async function resolverFor(schemaId: number) {
    const cached = resolvers.get(schemaId);
    if (cached) return cached;
    let writerSchema: unknown;
    try {
      writerSchema = await registry.getSchema(schemaId);
    } catch (cause) {
      if ((cause as { status?: number }).status === 404) {
        throw new UndecodableEventError(`unknown schema id ${schemaId}`, { cause });
      }
      throw cause;
    }
    const name = (writerSchema as { name?: string }).name ?? '';
    const type = typeByFullName.get(name.includes('.') ? name : `${NAMESPACE}.${name}`);
    const reader = type && readers.get(type);
    if (!type || !reader) throw new UndecodableEventError(`no event type for record ${name}`);
    const writer = avro.Type.forSchema(writerSchema as never);
    const entry = { type, reader, resolver: reader.createResolver(writer) };
    resolvers.set(schemaId, entry);
    return entry;
  }

  return {
    async encode(event) {
      const id = schemaIds.get(event.type);
      if (id === undefined) throw new Error(`no registered schema for ${event.type}`);
      const { type, metadata, data } = event;
      const envelope = { ...metadata, type };
      if (!withParts.has(type)) return registry.encode(id, { envelope, data });
      if (!sealer) return registry.encode(id, { envelope, data, sealed: [] });
      return registry.encode(id, { envelope, ...(await sealer.seal(event)) });
    },

    async decode(message) {
      if (message.length < 5 || message[0] !== 0) {
        throw new UndecodableEventError('not in Confluent wire format');
      }
      const { type, reader, resolver } = await resolverFor(message.readInt32BE(1));
      let record: {
        envelope: { type: string } & DomainEvent['metadata'];
        data: unknown;
        sealed?: SealedPart[];
      };
      try {
        record = reader.fromBuffer(message.subarray(5), resolver);
      } catch (cause) {
        throw new UndecodableEventError(`corrupt ${type} body`, { cause });
      }
      const { type: envelopeType, ...metadata } = record.envelope;
      if (envelopeType !== type) {
        throw new UndecodableEventError(`envelope type ${envelopeType} in a ${type} record`);
      }
      const event = { type, metadata, data: record.data } as DomainEvent;
      if (!sealer || !record.sealed?.length) return event;
      return sealer.open(event, record.sealed);
    },
  };
}
