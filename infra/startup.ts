import { ConfigError } from './config.ts';
import type { Logger } from './logger.ts';

/**
 * A start-up that cannot succeed by waiting: wrong credentials, an unknown host, a bad setting.
 * Its message says what to fix; nothing retries it.
 */
export class MisconfigurationError extends Error {
  constructor(
    readonly step: string,
    readonly fix: string,
    options?: ErrorOptions,
  ) {
    super(`${step}: ${fix}`, options);
    this.name = 'MisconfigurationError';
  }
}

const causes = (error: unknown): unknown[] => {
  const chain: unknown[] = [];
  for (let e = error; e != null && chain.length < 8; e = (e as { cause?: unknown }).cause) {
    chain.push(e);
  }
  return chain;
};
const field = (error: unknown, name: string): unknown =>
  error && typeof error === 'object' ? (error as Record<string, unknown>)[name] : undefined;
const text = (error: unknown) => String(field(error, 'message') ?? error);

/**
 * What to fix when `error` is a misconfiguration rather than a fault that passes; null when
 * waiting may help (a broker electing leaders, a registry starting, PostgreSQL restarting).
 */
export function misconfiguration(error: unknown): string | null {
  for (const e of causes(error)) {
    const name = field(e, 'name');
    const code = field(e, 'code');
    const message = text(e);
    if (e instanceof ConfigError) return message;
    if (name === 'KafkaJSSASLAuthenticationError') {
      return `Kafka refused the credentials (${message}): check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD`;
    }
    if (code === 'ENOTFOUND' || code === 'EAI_FAIL') {
      return `the host ${String(field(e, 'hostname') ?? '')} is unknown: check KAFKA_BROKERS, SCHEMA_REGISTRY_URL and DATABASE_URL`;
    }
    if (code === '28P01' || code === '28000') {
      return `PostgreSQL refused the credentials (${message}): check DATABASE_URL and DATABASE_APP_PASSWORD`;
    }
    if (code === '3D000') return `${message}: create it, or point DATABASE_URL at one that exists`;
    if (name === 'KafkaJSTopicAuthorizationFailed' || /not authorized/i.test(message)) {
      return `Kafka denied access (${message}): grant the ACLs of KAFKA_SASL_USERNAME`;
    }
    const status = field(e, 'status');
    if (status === 401 || status === 403) {
      return `the schema registry refused the credentials (${message}): check SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD`;
    }
    if (/built from Kafka cluster/.test(message)) return message;
  }
  return null;
}

export interface StartupRetry {
  /** Epoch milliseconds after which a transient fault ends the start too. */
  readonly deadline: number;
  readonly logger: Logger;
}

/** Delays between tries: 250 ms doubling to 5 s. */
const pause = (attempt: number) => Math.min(5000, 250 * 2 ** Math.min(attempt, 5));

/**
 * Runs one start-up step, trying it again with backoff while it fails for a reason that can pass,
 * until the deadline; a misconfiguration ends it at once as a MisconfigurationError.
 */
export async function startupStep<T>(
  step: string,
  run: () => Promise<T>,
  retry: StartupRetry,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const fix = misconfiguration(error);
      if (fix !== null) throw new MisconfigurationError(step, fix, { cause: error });
      const wait = pause(attempt);
      if (Date.now() + wait > retry.deadline) {
        throw new Error(
          `${step}: still failing when start-up ran out of time (STARTUP_TIMEOUT_MS)`,
          {
            cause: error,
          },
        );
      }
      retry.logger.warn(
        { step, attempt: attempt + 1, err: error },
        'start-up step failed, retrying',
      );
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
