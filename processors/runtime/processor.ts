import type { DomainEvent, EventOfType, EventType } from '../../schemas/events.ts';

/** An event a processor decided on, before the runtime gives it its envelope. */
export type Draft<E extends DomainEvent = DomainEvent> = E extends DomainEvent
  ? {
      readonly type: E['type'];
      readonly data: E['data'];
      /** Another aggregate than the cause's (a patient the decision registers); its log follows. */
      readonly aggregateId?: string;
    }
  : never;

/**
 * A processor is its decision: for one event of a type it consumes, the events it emits about the
 * same document. Its dependencies (blob store, OCR) come in through the ports it was built with;
 * the runtime does Kafka, transactions, retries, breakers and dead letters the same way for all.
 */
export interface Processor<T extends EventType = EventType> {
  readonly name: string;
  readonly version: string;
  readonly consumes: readonly T[];
  /**
   * One replica decides at a time (the others stand by), for a processor whose decisions depend
   * on what it decided before and has not yet read back from the log.
   */
  readonly exclusive?: boolean;
  handle(event: EventOfType<T>): Promise<Draft[]>;
  /**
   * Told whether what it decided since it was last told was committed, or abandoned (to be decided
   * again), for a processor that remembers its own decisions between events.
   */
  settled?(committed: boolean): void;
}

export const actorOf = (processor: Pick<Processor, 'name' | 'version'>) =>
  `${processor.name}@${processor.version}`;

/**
 * A failure with its retry decision as data. Undecodable input, broken invariants and bytes that
 * can never be read are permanent: retrying cannot help, so they go straight to the dead letters.
 */
export class ProcessingError extends Error {
  constructor(
    message: string,
    readonly retriable: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ProcessingError';
  }
}

export const permanent = (message: string, cause?: unknown) =>
  new ProcessingError(message, false, { cause });
export const transient = (message: string, cause?: unknown) =>
  new ProcessingError(message, true, { cause });
