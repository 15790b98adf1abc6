import type { Logger } from '../../infra/logger.ts';
import type { Metrics } from '../../infra/metrics.ts';
import type { Pool } from '../../infra/postgres.ts';
import { type ClaimedDelivery, claimDue, recordAttempt, type Settlement } from './queue.ts';
import type { SecretBox } from './secret-box.ts';
import { type AttemptResult, type SendOptions, sendWebhook } from './send.ts';
import type { UrlPolicy } from './url-policy.ts';

export interface RetryPolicy {
  /** Attempts a delivery gets before it is recorded as failed and the next one goes. */
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
}

/** How deliveries are sent: the part of the dispatcher that comes from configuration. */
export interface WebhookSettings {
  policy: UrlPolicy;
  /** Opens the endpoints' stored secrets. */
  secrets: SecretBox;
  retry: RetryPolicy;
  timeoutMs: number;
  /** Deliveries in flight at once, across endpoints. */
  concurrency: number;
  /** How often due retries are looked for when nothing wakes the dispatcher sooner. */
  pollMs: number;
}

export interface DispatcherDeps extends WebhookSettings {
  /** The owner's: the queue spans tenants. */
  pool: Pool;
  logger: Logger;
  metrics: Metrics;
  send?: (delivery: ClaimedDelivery, options: SendOptions) => Promise<AttemptResult>;
}

export interface Dispatcher {
  /** Looks for due deliveries now: new ones were queued. */
  wake(): void;
  stop(): Promise<void>;
}

/** Exponential, doubling from `baseMs` up to `maxMs`, each delay drawn from its upper half. */
export function retryDelay(attempt: number, retry: RetryPolicy, random = Math.random): number {
  const ceiling = Math.min(retry.maxMs, retry.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export function settle(result: AttemptResult, attempts: number, retry: RetryPolicy): Settlement {
  if (result.delivered) return { status: 'delivered' };
  if (attempts >= retry.maxAttempts) return { status: 'failed' };
  return { status: 'pending', retryInMs: retryDelay(attempts, retry) };
}

const LEASE_MARGIN_MS = 5000;

/**
 * Sends queued deliveries as they come due, up to `concurrency` at once: each in flight alone,
 * so a slow or failing endpoint holds only its own deliveries (and, per aggregate, the later
 * ones), never the others.
 */
export function startDispatcher(deps: DispatcherDeps): Dispatcher {
  const log = deps.logger.child({ component: 'webhook-dispatcher' });
  const send =
    deps.send ??
    ((d: ClaimedDelivery, o: SendOptions) => sendWebhook(d.url, d.secret, toMessage(d), o));
  const sendOpened = (delivery: ClaimedDelivery, options: SendOptions): Promise<AttemptResult> => {
    let secret: string;
    try {
      secret = deps.secrets.open(delivery.secret);
    } catch (error) {
      const reason = `the endpoint's secret cannot be opened: ${(error as Error).message}`;
      return Promise.resolve({ delivered: false, statusCode: null, error: reason });
    }
    return send({ ...delivery, secret }, options);
  };
  const inFlight = new Set<Promise<void>>();
  let pumping: Promise<void> | null = null;
  let again = false;
  let stopped = false;

  const attempt = async (delivery: ClaimedDelivery) => {
    const result = await sendOpened(delivery, {
      policy: deps.policy,
      timeoutMs: deps.timeoutMs,
    });
    const attempts = delivery.queuedAttempts + 1;
    const settlement = settle(result, attempts, deps.retry);
    await recordAttempt(deps.pool, delivery.deliveryId, result, settlement);
    const outcome = settlement.status === 'pending' ? 'retrying' : settlement.status;
    deps.metrics.webhookDeliveries.inc({ outcome });
    if (settlement.status === 'delivered') {
      deps.metrics.webhookDeliverySeconds.observe(
        (Date.now() - delivery.occurredAt.getTime()) / 1000,
      );
    }
    if (settlement.status === 'failed') {
      log.warn(
        { deliveryId: delivery.deliveryId, tenantId: delivery.tenantId, attempts, ...result },
        'webhook delivery failed for good',
      );
    }
  };

  const pump = async () => {
    do {
      again = false;
      const room = deps.concurrency - inFlight.size;
      if (stopped || room <= 0) break;
      const claimed = await claimDue(deps.pool, room, deps.timeoutMs + LEASE_MARGIN_MS);
      for (const delivery of claimed) {
        const running: Promise<void> = attempt(delivery)
          .catch((err: unknown) =>
            log.warn({ err, deliveryId: delivery.deliveryId }, 'webhook attempt not recorded'),
          )
          .finally(() => {
            inFlight.delete(running);
            // The next delivery of its endpoint and aggregate may be due now.
            wake();
          });
        inFlight.add(running);
      }
      if (claimed.length === room) again = true;
    } while (again);
  };
  const wake = () => {
    if (stopped) return;
    if (pumping) {
      again = true;
      return;
    }
    pumping = pump()
      .catch((err: unknown) => log.warn({ err }, 'webhook queue not read; the next poll retries'))
      .finally(() => {
        pumping = null;
        // Woken while finishing: look once more.
        if (again) wake();
      });
  };
  const timer = setInterval(wake, deps.pollMs);
  wake();

  return {
    wake,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await pumping;
      await Promise.all([...inFlight]);
    },
  };
}

const toMessage = (delivery: ClaimedDelivery) => ({ id: delivery.eventId, body: delivery.payload });
