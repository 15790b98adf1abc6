import type { Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { type DeadLetter, sendToDeadLetter } from '../../infra/kafka/dead-letter.ts';
import { HEADERS } from '../../infra/kafka/event-log.ts';
import type { TopicNames } from '../../infra/kafka/topics.ts';
import type { Logger } from '../../infra/logger.ts';
import type { Metrics } from '../../infra/metrics.ts';
import { type Pool, withTransaction } from '../../infra/postgres.ts';
import { type EventCodec, UndecodableEventError } from '../../schemas/codec.ts';
import { webhookPayload } from './payload.ts';
import { type EndpointSubscription, type Enqueued, enabledEndpoints, enqueue } from './queue.ts';

/** The consumer (group, dead-letter topic) that reads the logs for webhooks. */
export const WEBHOOK_CONSUMER = 'webhooks';

export interface IntakeDeps {
  kafka: Kafka;
  /** Sends undecodable messages to the dead-letter topic. */
  producer: Pick<Producer, 'send'>;
  /** The owner's: events of every tenant are queued together. */
  pool: Pool;
  codec: EventCodec;
  topics: TopicNames;
  logger: Logger;
  metrics: Metrics;
  /** Told after deliveries were queued. */
  onQueued: () => void;
}

export interface RunningIntake {
  /** Whether the consumer is still running (it stops for good on a crash it cannot retry). */
  running(): boolean;
  stop(): Promise<void>;
}

const header = (message: KafkaMessage, name: string) => message.headers?.[name]?.toString();

/**
 * The endpoints that want `message`, from its headers; every endpoint of every tenant when a
 * header is missing (the decoded event decides).
 */
function candidates(message: KafkaMessage, endpoints: readonly EndpointSubscription[]) {
  const type = header(message, HEADERS.eventType);
  const tenant = header(message, HEADERS.tenantId);
  return endpoints.filter(
    (e) =>
      (type === undefined || e.eventTypes.has(type)) &&
      (tenant === undefined || e.tenantId === tenant),
  );
}

/**
 * Reads every event log with a consumer group of its own and queues a delivery for each enabled
 * endpoint of the event's tenant that wants its type and was registered before it occurred. The
 * queue rows are committed before the offsets, so an event is queued at least once, and its
 * unique key keeps a re-read from queueing it twice. Sending is the dispatcher's: a slow
 * receiver holds neither this consumer nor anything upstream.
 */
export async function startWebhookIntake(deps: IntakeDeps): Promise<RunningIntake> {
  const log = deps.logger.child({ component: 'webhook-intake' });
  const consumer: Consumer = deps.kafka.consumer({
    groupId: deps.topics.consumerGroup(WEBHOOK_CONSUMER),
    readUncommitted: false,
  });
  let crashed = false;
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) crashed = true;
  });
  await consumer.connect();
  await consumer.subscribe({ topics: Object.values(deps.topics.events), fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
      if (!isRunning() || isStale() || batch.isEmpty()) return;
      const endpoints = await enabledEndpoints(deps.pool);
      const queued: Enqueued[] = [];
      const letters: DeadLetter[] = [];
      for (const message of batch.messages) {
        const wanting = candidates(message, endpoints);
        if (wanting.length === 0) continue;
        try {
          if (!message.value) throw new UndecodableEventError('empty message');
          const event = await deps.codec.decode(message.value);
          const { tenantId, occurredAt } = event.metadata;
          let payload: string | undefined;
          for (const endpoint of wanting) {
            if (endpoint.tenantId !== tenantId || !endpoint.eventTypes.has(event.type)) continue;
            if (occurredAt < endpoint.createdAt) continue;
            payload ??= webhookPayload(event);
            queued.push({ endpointId: endpoint.endpointId, event, payload });
          }
        } catch (error) {
          if (!(error instanceof UndecodableEventError)) throw error;
          letters.push({
            consumer: WEBHOOK_CONSUMER,
            reason: error.message,
            topic: batch.topic,
            partition: batch.partition,
            offset: message.offset,
            key: message.key,
            value: message.value,
            headers: message.headers ?? {},
          });
        }
      }
      // Most batches want no delivery (no endpoint, or another tenant's or type's events).
      const added =
        queued.length === 0 ? 0 : await withTransaction(deps.pool, (db) => enqueue(db, queued));
      await sendToDeadLetter(deps.producer, deps.topics, letters);
      if (letters.length > 0) {
        deps.metrics.deadLetters.inc({ consumer: WEBHOOK_CONSUMER }, letters.length);
      }
      const next = String(BigInt(batch.lastOffset()) + 1n);
      await consumer.commitOffsets([
        { topic: batch.topic, partition: batch.partition, offset: next },
      ]);
      resolveOffset(batch.lastOffset());
      await heartbeat();
      if (added > 0) {
        log.debug({ partition: batch.partition, added }, 'webhook deliveries queued');
        deps.onQueued();
      }
    },
  });
  log.info('webhook intake started');
  return {
    running: () => !crashed,
    async stop() {
      await consumer.disconnect();
      log.info('webhook intake stopped');
    },
  };
}
