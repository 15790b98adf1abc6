import type { BlobReader } from '../../infra/blobs/blob-store.ts';
import type { DomainEvent, EventOfType, EventType, LogPosition } from '../../schemas/events.ts';

export interface SqlStatement {
  readonly text: string;
  readonly values: readonly unknown[];
  /** Set by `insertRow`: the row may be sent together with the rows of the same statement. */
  readonly row?: RowShape;
}

/** `INSERT INTO t (columns)` and what follows its `VALUES (...)`; equal shapes merge. */
export interface RowShape {
  readonly head: string;
  readonly tail: string;
}

/** Reads what an event refers to instead of carrying (text kept in the blob store). */
export interface ProjectionPorts {
  blobs: BlobReader;
}

/** The SQL that folds one event into a read model: pure, and idempotent when run again. */
export type EventHandler<E extends DomainEvent> = (
  event: E,
  position: LogPosition,
) => SqlStatement[];

/** Fetches what an event only refers to, so that its handler can stay pure. */
export type EventResolver<E extends DomainEvent> = (event: E, ports: ProjectionPorts) => Promise<E>;

/** A handler for each event type a read model folds: the keys are the types it consumes. */
export type ProjectionHandlers<T extends EventType> = {
  readonly [K in T]: EventHandler<EventOfType<K>>;
};

/** Resolvers for those of the handled types whose events refer to something to fetch first. */
export type ProjectionResolvers<T extends EventType> = {
  readonly [K in T]?: EventResolver<EventOfType<K>>;
};

export interface ProjectionDefinition<Name extends string, T extends EventType> {
  readonly name: Name;
  readonly handlers: ProjectionHandlers<T>;
  readonly resolvers?: ProjectionResolvers<NoInfer<T>>;
}

/**
 * A read model as the runtime drives it: the event types it folds and, for any event, the SQL
 * that applies it. Made by `defineProjection`, so `canHandle` is always its handlers' types.
 */
export interface Projection<Name extends string = string, Handled extends EventType = EventType> {
  readonly name: Name;
  readonly canHandle: readonly Handled[];
  /** The event with what it refers to filled in; the event itself when nothing is to fetch. */
  resolve(event: DomainEvent, ports: ProjectionPorts): Promise<DomainEvent>;
  /** The statements that apply the event; none for a type the read model does not fold. */
  handle(event: DomainEvent, position: LogPosition): SqlStatement[];
}

export function defineProjection<Name extends string, T extends EventType>(
  definition: ProjectionDefinition<Name, T>,
): Projection<Name, T> {
  const { name, handlers, resolvers = {} } = definition;
  // Each map is only ever read at the event's own type, so each function gets the event type it
  // was written for; the maps' types cannot say that for an event whose type is not yet known.
  const byType = <F>(map: object) => map as Partial<Record<EventType, F>>;
  const handlerOf = byType<EventHandler<DomainEvent>>(handlers);
  const resolverOf = byType<EventResolver<DomainEvent>>(resolvers);
  return {
    name,
    canHandle: Object.keys(handlers) as T[],
    resolve: async (event, ports) => resolverOf[event.type]?.(event, ports) ?? event,
    handle: (event, position) => handlerOf[event.type]?.(event, position) ?? [],
  };
}

/** The same handler for each of `types`, for a read model that folds them all alike. */
export function handleEach<T extends EventType>(
  types: readonly T[],
  handler: EventHandler<EventOfType<T>>,
): Record<T, EventHandler<EventOfType<T>>> {
  return Object.fromEntries(types.map((type) => [type, handler])) as Record<
    T,
    EventHandler<EventOfType<T>>
  >;
}

export const sql = (text: string, ...values: unknown[]): SqlStatement => ({ text, values });

/** `$from, $from+1, ...`: one row's placeholders. */
const placeholders = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => `$${from + i}`).join(', ');

/**
 * One row appended by `${head} VALUES (...) ${tail}`, for read models that append a row per event
 * (timelines, the audit). The runtime sends consecutive rows of one shape and tenant as a single
 * multi-row INSERT, one round trip for a batch instead of one per event. Only for rows that do
 * not depend on each other: `tail` is empty or `ON CONFLICT ... DO NOTHING`, never DO UPDATE
 * (which may not touch a row twice in one statement).
 */
export function insertRow(head: string, tail: string, ...values: unknown[]): SqlStatement {
  if (/\bDO\s+UPDATE\b/i.test(tail)) throw new Error('insertRow: rows that update cannot merge');
  return { ...insertRows({ head, tail }, values.length, values), row: { head, tail } };
}

/** The rows of one shape, `width` values each, in `values`, as one INSERT. */
export function insertRows(shape: RowShape, width: number, values: unknown[]): SqlStatement {
  const tuples = Array.from(
    { length: values.length / width },
    (_, i) => `(${placeholders(i * width + 1, width)})`,
  );
  return { text: `${shape.head} VALUES ${tuples.join(', ')} ${shape.tail}`, values };
}
