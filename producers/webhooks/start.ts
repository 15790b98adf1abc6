import type { Kafka, Producer } from 'kafkajs';
import type { TopicNames } from '../../infra/kafka/topics.ts';
import type { Logger } from '../../infra/logger.ts';
import type { Metrics } from '../../infra/metrics.ts';
import { createPool } from '../../infra/postgres.ts';
import type { EventCodec } from '../../schemas/codec.ts';
import { startDispatcher, type WebhookSettings } from './dispatcher.ts';
import { startWebhookIntake } from './intake.ts';

export interface WebhookDeps {
  kafka: Kafka;
  producer: Pick<Producer, 'send'>;
  /**
   * The owner's database URL: the queue spans tenants, like batch completion. Webhooks get a
   * pool of their own, so a burst of deliveries takes no connection from the other jobs.
   */
  ownerUrl: string;
  codec: EventCodec;
  topics: TopicNames;
  logger: Logger;
  metrics: Metrics;
  settings: WebhookSettings;
}

export interface RunningWebhooks {
  /** Looks for due deliveries now (a redelivery was queued). */
  wake(): void;
  /** Throws when the consumer that queues deliveries has stopped. */
  check(): Promise<void>;
  stop(): Promise<void>;
}

const POOL_SIZE = 4;

/** The intake that queues deliveries from the logs, and the dispatcher that sends them. */
export async function startWebhooks(deps: WebhookDeps): Promise<RunningWebhooks> {
  const { settings } = deps;
  const pool = createPool(deps.ownerUrl, POOL_SIZE);
  const dispatcher = startDispatcher({
    ...settings,
    pool,
    logger: deps.logger,
    metrics: deps.metrics,
  });
  const intake = await startWebhookIntake({
    kafka: deps.kafka,
    producer: deps.producer,
    pool,
    codec: deps.codec,
    topics: deps.topics,
    logger: deps.logger,
    metrics: deps.metrics,
    onQueued: dispatcher.wake,
  });
  return {
    wake: dispatcher.wake,
    async check() {
      if (!intake.running()) throw new Error('the webhook consumer has stopped');
    },
    async stop() {
      await intake.stop();
      await dispatcher.stop();
      await pool.end();
    },
  };
}
