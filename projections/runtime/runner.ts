import type { Consumer, IHeaders, Kafka, Producer } from 'kafkajs';
import { type DeadLetter, sendToDeadLetter } from '../../infra/kafka/dead-letter.ts';
import { HEADERS } from '../../infra/kafka/event-log.ts';
import type { TopicNames } from '../../infra/kafka/topics.ts';
import type { Logger } from '../../infra/logger.ts';
import type { Metrics } from '../../infra/metrics.ts';
import { type Pool, setTenant, withTransaction } from '../../infra/postgres.ts';
import { EVENT_CATALOG } from '../../schemas/catalog.ts';
import { type EventCodec, UndecodableEventError } from '../../schemas/codec.ts';
import { lockCheckpoint, saveCheckpoint } from './checkpoints.ts';
import type { Projection, ProjectionPorts } from './projection.ts';

export interface ProjectionDeps {
  kafka: Kafka;
  producer: Producer;
  pool: Pool;
  codec: EventCodec;
  topics: TopicNames;
  logger: Logger;
  metrics: Metrics;
  blobs: ProjectionPorts['blobs'];
}

export interface RunningProjection {
  readonly name: string;
  stop(): Promise<void>;
}

export const deadLetterConsumer = (projection: Projection) => `projection-${projection.name}`;

/** The parts of a consumed message that applying it reads. */
export interface LogMessage {
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: IHeaders;
}

/** Messages of one partition in offset order, as a consumer receives them. */
export interface LogBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly LogMessage[];
}

/** The logs a projection consumes: those its event types are appended to. */
export const subscribedTopics = (projection: Projection, topics: TopicNames): string[] => [
  ...new Set(projection.canHandle.map((type) => topics.events[EVENT_CATALOG[type].aggregate])),
];

/**
 * Applies one Kafka batch in one PostgreSQL transaction together with the checkpoint. Messages
 * below the checkpoint were applied before (a redelivery after a crash) and are skipped. Each
 * event's statements run set to its tenant, so row-level security holds them to that tenant's rows.
 * Returns the next offset to consume and what the batch did.
 */
export async function applyBatch(
  projection: Projection,
  batch: LogBatch,
  deps: Pick<ProjectionDeps, 'pool' | 'codec' | 'topics' | 'blobs'> & {
    producer: Pick<Producer, 'sendBatch'>;
  },
): Promise<{ next: bigint; applied: number; deadLettered: number }> {
  const { topic, partition } = batch;
  const handled = new Set<string>(projection.canHandle);
  return withTransaction(deps.pool, async (client) => {
    const from = await lockCheckpoint(client, projection.name, topic, partition);
    let next = from;
    const letters: DeadLetter[] = [];
    let tenant: string | undefined;
    for (const message of batch.messages) {
      const offset = BigInt(message.offset);
      if (offset < from) continue;
      next = offset + 1n;
      const type = message.headers?.[HEADERS.eventType]?.toString();
      if (type !== undefined && !handled.has(type)) continue;
      try {
        if (!message.value) throw new UndecodableEventError('empty message');
        const decoded = await deps.codec.decode(message.value);
        if (!handled.has(decoded.type)) continue;
        const event = await projection.resolve(decoded, deps);
        if (event.metadata.tenantId !== tenant) {
          tenant = event.metadata.tenantId;
          await setTenant(client, tenant);
        }
        for (const statement of projection.handle(event, {
          topic,
          partition,
          offset: message.offset,
        })) {
          await client.query(statement.text, statement.values as unknown[]);
        }
      } catch (error) {
        if (!(error instanceof UndecodableEventError)) throw error;
        letters.push({
          consumer: deadLetterConsumer(projection),
          reason: error.message,
          topic,
          partition,
          offset: message.offset,
          key: message.key,
          value: message.value,
          headers: message.headers ?? {},
        });
      }
    }
    if (next > from) {
      await sendToDeadLetter(deps.producer, deps.topics, letters);
      await saveCheckpoint(client, projection.name, topic, partition, next);
    }
    return { next, applied: Number(next - from), deadLettered: letters.length };
  });
}

export async function startProjection(
  projection: Projection,
  deps: ProjectionDeps,
): Promise<RunningProjection> {
  const log = deps.logger.child({ projection: projection.name });
  const consumer: Consumer = deps.kafka.consumer({
    groupId: deps.topics.consumerGroup(`projection-${projection.name}`),
    readUncommitted: false,
  });
  await consumer.connect();
  await consumer.subscribe({
    topics: subscribedTopics(projection, deps.topics),
    fromBeginning: true,
  });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, isRunning, isStale }) => {
      if (!isRunning() || isStale() || batch.isEmpty()) return;
      const { next, applied, deadLettered } = await applyBatch(projection, batch, deps);
      deps.metrics.eventsApplied.inc({ projection: projection.name }, applied);
      if (deadLettered > 0) {
        deps.metrics.deadLetters.inc({ consumer: deadLetterConsumer(projection) }, deadLettered);
      }
      // Kafka's committed offset only trails the checkpoint; the checkpoint decides what is applied.
      await consumer.commitOffsets([
        { topic: batch.topic, partition: batch.partition, offset: next.toString() },
      ]);
      log.debug({ partition: batch.partition, next: next.toString() }, 'batch applied');
    },
  });
  log.info('projection started');
  return {
    name: projection.name,
    stop: async () => {
      await consumer.disconnect();
      log.info('projection stopped');
    },
  };
}
