import type { BlobReader } from '../../producers/blobs/blob-store.ts';
import type { DomainEvent, EventType, LogPosition } from '../../schemas/events.ts';

export interface SqlStatement {
  readonly text: string;
  readonly values: readonly unknown[];
}

/** Reads what an event refers to instead of carrying (text kept in the blob store). */
export interface ProjectionPorts {
  blobs: BlobReader;
}

/**
 * A read model: the event types it folds and, for each, the SQL that applies it. `handle` is
 * pure and its statements idempotent, so a redelivered event changes nothing. `resolve`, when
 * present, first fetches what the event only refers to, so that `handle` stays pure.
 */
export interface Projection {
  readonly name: string;
  readonly canHandle: readonly EventType[];
  resolve?(event: DomainEvent, ports: ProjectionPorts): Promise<DomainEvent>;
  handle(event: DomainEvent, position: LogPosition): SqlStatement[];
}

export const sql = (text: string, ...values: unknown[]): SqlStatement => ({ text, values });

export function assertNever(type: never): never {
  throw new Error(`unhandled event type ${String(type)}`);
}
