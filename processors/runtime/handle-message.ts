import type { KafkaMessage } from 'kafkajs';
import pRetry from 'p-retry';
import { DependencyUnavailableError } from '../../infra/breakers.ts';
import { isRetriable } from '../../infra/errors.ts';
import { HEADERS } from '../../infra/kafka/event-log.ts';
import type { EventCodec } from '../../schemas/codec.ts';
import type { DomainEvent, EventType } from '../../schemas/events.ts';
import { type Clock, envelop } from './envelope.ts';
import { actorOf, type Processor } from './processor.ts';

export interface RetryPolicy {
  maxRetries: number;
  baseMs: number;
  maxMs: number;
  /** How long an event may wait on a dependency whose breaker is open before it fails. */
  maxHoldMs: number;
}

/** What became of one consumed message. */
export type Outcome =
  | { readonly kind: 'skipped' }
  | { readonly kind: 'emitted'; readonly events: DomainEvent[] }
  | {
      readonly kind: 'failed';
      readonly reason: string;
      /** The event, when it could be decoded: its document gets a DocumentProcessingFailed. */
      readonly event: DomainEvent | null;
    };

export interface HandleContext {
  codec: Pick<EventCodec, 'decode'>;
  retry: RetryPolicy;
  clock: Clock;
  /** Called while waiting on a retry or an open breaker, so the group does not drop us. */
  heartbeat(): Promise<void>;
  signal: AbortSignal;
  onRetry?(error: unknown, attempt: number): void;
}

export function headerValue(message: Pick<KafkaMessage, 'headers'>, name: string) {
  const value = message.headers?.[name];
  return value === undefined ? undefined : String(value);
}

/**
 * Decodes, decides with bounded retries, and envelopes what the processor decided. Never throws
 * for the event's sake: a poison event comes back as `failed`. It throws only when stopping.
 */
export async function handleMessage<T extends EventType>(
  processor: Processor<T>,
  message: Pick<KafkaMessage, 'headers' | 'value'>,
  ctx: HandleContext,
): Promise<Outcome> {
  const consumes = new Set<EventType>(processor.consumes);
  const type = headerValue(message, HEADERS.eventType);
  if (type !== undefined && !consumes.has(type as EventType)) return { kind: 'skipped' };

  let event: DomainEvent | null = null;
  const attempt = async () => {
    if (!message.value) throw Object.assign(new Error('empty message'), { retriable: false });
    event ??= await ctx.codec.decode(message.value);
    if (!consumes.has(event.type as EventType)) return { kind: 'skipped' } as const;
    const drafts = await processor.handle(event as never);
    const cause = event;
    return {
      kind: 'emitted',
      events: drafts.map((d) => envelop(d, cause, actorOf(processor), ctx.clock)),
    } as const;
  };
  const holdUntil = Date.now() + ctx.retry.maxHoldMs;
  for (;;) {
    try {
      return await pRetry(attempt, {
        retries: ctx.retry.maxRetries,
        minTimeout: ctx.retry.baseMs,
        maxTimeout: ctx.retry.maxMs,
        factor: 2,
        randomize: true,
        signal: ctx.signal,
        shouldRetry: ({ error }) =>
          isRetriable(error) && !(error instanceof DependencyUnavailableError),
        onFailedAttempt: async ({ error, attemptNumber }) => {
          ctx.onRetry?.(error, attemptNumber);
          await ctx.heartbeat();
        },
      });
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      // An open breaker is not the event's fault: hold it, with a fresh retry budget once the
      // dependency lets a trial call through, for as long as the hold limit allows.
      if (error instanceof DependencyUnavailableError && Date.now() < holdUntil) {
        await waitForTrial(error, ctx);
        continue;
      }
      return { kind: 'failed', reason: describe(error), event };
    }
  }
}

async function waitForTrial(error: DependencyUnavailableError, ctx: HandleContext) {
  const trial = error.trial();
  for (;;) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const ready = await Promise.race([
      trial.then(() => true),
      new Promise<false>((resolve) => setTimeout(resolve, 2000, false).unref()),
    ]);
    if (ready) return;
    await ctx.heartbeat();
  }
}

function describe(error: unknown): string {
  const { name, message } = error instanceof Error ? error : new Error(String(error));
  return `${name}: ${message}`.slice(0, 1000);
}
