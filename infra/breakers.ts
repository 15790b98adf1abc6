import CircuitBreaker from 'opossum';
import { isRetriable } from './errors.ts';

export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * A dependency's breaker is open: calls are refused without trying. Not the event's fault, so
 * it costs no retry: the runtime waits for `trial()` (the breaker letting one call through).
 */
export class DependencyUnavailableError extends Error {
  readonly retriable = true;
  constructor(
    readonly dependency: string,
    readonly trial: () => Promise<void>,
  ) {
    super(`${dependency} is unavailable (circuit open)`);
    this.name = 'DependencyUnavailableError';
  }
}

export interface BreakerOptions {
  /** Milliseconds one call may take before it counts as a failure; false for no limit. */
  timeoutMs: number | false;
}

export interface Breakers {
  /** `fn` behind the named dependency's breaker; permanent errors do not count against it. */
  guard<A extends unknown[], R>(
    dependency: string,
    fn: (...args: A) => Promise<R>,
    options?: Partial<BreakerOptions>,
  ): (...args: A) => Promise<R>;
  states(): Record<string, BreakerState>;
  onChange(listener: (dependency: string, state: BreakerState) => void): void;
  shutdown(): void;
}

const stateOf = (breaker: CircuitBreaker): BreakerState =>
  breaker.opened ? 'open' : breaker.halfOpen ? 'half-open' : 'closed';

/** One opossum circuit breaker per external dependency (OCR pool, blob store, registry). */
export function createBreakers(settings: { resetMs: number }): Breakers {
  const breakers = new Map<string, CircuitBreaker>();
  const listeners: Array<(dependency: string, state: BreakerState) => void> = [];

  function breakerFor(dependency: string, options: BreakerOptions): CircuitBreaker {
    const existing = breakers.get(dependency);
    if (existing) return existing;
    const breaker = new CircuitBreaker((call: () => Promise<unknown>) => call(), {
      name: dependency,
      timeout: options.timeoutMs,
      resetTimeout: settings.resetMs,
      errorThresholdPercentage: 50,
      volumeThreshold: 3,
      rollingCountTimeout: 30_000,
      errorFilter: (error: unknown) => !isRetriable(error),
    });
    const changed = () => {
      for (const listener of listeners) listener(dependency, stateOf(breaker));
    };
    breaker.on('open', changed);
    breaker.on('halfOpen', changed);
    breaker.on('close', changed);
    breakers.set(dependency, breaker);
    return breaker;
  }

  const trialOf = (breaker: CircuitBreaker) => () =>
    breaker.opened
      ? new Promise<void>((resolve) => {
          breaker.once('halfOpen', () => resolve());
          breaker.once('close', () => resolve());
        })
      : Promise.resolve();

  return {
    guard(dependency, fn, options = {}) {
      const breaker = breakerFor(dependency, { timeoutMs: options.timeoutMs ?? 30_000 });
      return async (...args) => {
        try {
          return (await breaker.fire(() => fn(...args))) as Awaited<ReturnType<typeof fn>>;
        } catch (error) {
          if ((error as { code?: string }).code === 'EOPENBREAKER') {
            throw new DependencyUnavailableError(dependency, trialOf(breaker));
          }
          throw error;
        }
      };
    },
    states() {
      return Object.fromEntries([...breakers].map(([name, b]) => [name, stateOf(b)]));
    },
    onChange(listener) {
      listeners.push(listener);
    },
    shutdown() {
      for (const breaker of breakers.values()) breaker.shutdown();
    },
  };
}
