import type { DomainEvent, EventType, LogPosition } from '../../schemas/events.ts';

export interface SqlStatement {
  readonly text: string;
  readonly values: readonly unknown[];
}

/**
 * A read model: the event types it folds and, for each, the SQL that applies it. `handle` is
 * pure and its statements idempotent, so a redelivered event changes nothing.
 */
export interface Projection {
  readonly name: string;
  readonly canHandle: readonly EventType[];
  handle(event: DomainEvent, position: LogPosition): SqlStatement[];
}

export const sql = (text: string, ...values: unknown[]): SqlStatement => ({ text, values });
