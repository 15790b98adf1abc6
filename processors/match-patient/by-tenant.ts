import type { Admin, ITopicConfig, Kafka, KafkaMessage, Message } from 'kafkajs';
import { HEADERS } from '../../infra/kafka/event-log.ts';
import { sendByPartition } from '../../infra/kafka/send-by-partition.ts';
import {
  type RestartPolicy,
  type SupervisedConsumer,
  superviseConsumer,
} from '../../infra/kafka/supervise.ts';
import { provisionTopics, type TopicNames } from '../../infra/kafka/topics.ts';
import type { Logger } from '../../infra/logger.ts';
import type { Metrics } from '../../infra/metrics.ts';
import type { EventCodec } from '../../schemas/codec.ts';
import type { Clock } from '../runtime/envelope.ts';
import {
  handleMessage,
  headerValue,
  type Outcome,
  type RetryPolicy,
} from '../runtime/handle-message.ts';
import { type OwnedPartitionsOptions, startOwnedPartitions } from '../runtime/owned-partitions.ts';
import { actorOf, type Processor } from '../runtime/processor.ts';
import { commitOutcomes } from '../runtime/transaction.ts';
import { hash30 } from './compact.ts';
import { type PatientIndexFeed, startPatientIndexFeed } from './index-feed.ts';
import type { PatientIndex } from './patient-index.ts';

const NAME = 'match-patient';

/** The partition of the by-tenant topic that holds every request about a tenant's patients. */
export const tenantPartition = (tenantId: string, partitions: number) =>
  hash30(tenantId) % partitions;

/** `<prefix>.match-patient.by-tenant`: the matcher's input, one tenant to one partition. */
export const byTenantTopic = (topics: TopicNames) => `${topics.consumerGroup(NAME)}.by-tenant`;

export interface ByTenantDeps {
  kafka: Kafka;
  codec: EventCodec;
  topics: TopicNames;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  /** Settings of the topic the requests go through: partitions, replication, retention. */
  topic: Omit<ITopicConfig, 'topic'> & { numPartitions: number };
  transactionTimeoutMs: number;
  retry: RetryPolicy;
  restart: RestartPolicy;
}

/**
 * Matching shared by replicas, each deciding for the tenants it owns. A router (any replica, the
 * document log's partitions spread over them) copies each `EntitiesExtracted` to the by-tenant
 * topic, keyed and partitioned by its tenant. The matcher's group spreads that topic's partitions,
 * so every decision about one tenant's patients is made by one replica at a time, from an index of
 * that tenant alone, which it loads when it takes the partition over; the one it took over from
 * is fenced first (see owned-partitions.ts), so nothing it registered can be missed.
 */
export async function startMatchingByTenant(
  processor: Processor<'EntitiesExtracted'>,
  index: PatientIndex,
  deps: ByTenantDeps,
): Promise<SupervisedConsumer> {
  const log = deps.logger.child({ processor: actorOf(processor) });
  const topic = byTenantTopic(deps.topics);
  const partitions = deps.topic.numPartitions;
  const admin = deps.kafka.admin();
  await admin.connect();
  try {
    await provisionTopics(admin, [{ ...deps.topic, topic }]);
    await inheritOffsets(admin, deps.topics.consumerGroup(NAME), routeGroup(deps.topics), [
      deps.topics.events.document,
      deps.topics.redrive(NAME),
    ]).catch((error) => log.warn({ err: error }, 'router offsets not inherited'));
  } finally {
    await admin.disconnect();
  }

  const stopping = new AbortController();
  let owned = new Set<number>();
  const owns = (tenantId: string) => owned.has(tenantPartition(tenantId, partitions));
  const feed: PatientIndexFeed = await startPatientIndexFeed(deps, index, owns);
  const matching: OwnedPartitionsOptions = {
    kafka: deps.kafka,
    groupId: deps.topics.consumerGroup(NAME),
    topics: [topic],
    logger: log,
    transactionTimeoutMs: deps.transactionTimeoutMs,
    async onAssigned(_gained, now) {
      owned = new Set(now.map((p) => p.partition));
      index.retain(owns);
      const started = performance.now();
      await feed.reload(owns);
      log.info(
        { partitions: [...owned], loadMs: Math.round(performance.now() - started) },
        'tenants taken over',
      );
    },
    onRevoked(now) {
      owned = new Set(now.map((p) => p.partition));
      index.retain(owns);
    },
    async handleChunk(chunk, context) {
      const started = performance.now();
      const outcomes: Outcome[] = [];
      for (const message of chunk) {
        outcomes.push(
          await handleMessage(processor, message, {
            codec: deps.codec,
            retry: deps.retry,
            clock: deps.clock,
            heartbeat: context.heartbeat,
            signal: stopping.signal,
          }),
        );
      }
      if (outcomes.every((o) => o.kind === 'skipped')) await context.commitOffsetOnly();
      else {
        const position = { topic, partition: context.at.partition, offset: context.at.next };
        const ctx = {
          ...deps,
          processor,
          groupId: deps.topics.consumerGroup(NAME),
          partitions: context.partitions,
        };
        await commitOutcomes(context.producer, ctx, position, chunk, outcomes).catch((error) => {
          processor.settled?.(false);
          throw error;
        });
      }
      processor.settled?.(true);
      record(deps.metrics, outcomes, (performance.now() - started) / 1000);
    },
  };
  const supervision = { logger: log, metrics: deps.metrics, restart: deps.restart };
  const matcher = await superviseConsumer(
    NAME,
    (watch) => startOwnedPartitions(matching, watch),
    supervision,
  );
  const router = await superviseConsumer(
    `${NAME}.route`,
    (watch) => startOwnedPartitions(routing(deps, topic, partitions, log), watch),
    supervision,
  );
  log.info({ topic, partitions }, 'matching by tenant started');
  return {
    name: NAME,
    running: () => matcher.running() && router.running(),
    async stop() {
      stopping.abort(new Error('processor stopping'));
      // Each waits for its fetch in flight: side by side, the stop takes the longest of them.
      await Promise.all([router.stop(), matcher.stop()]);
      // After the matcher, whose takeover of a tenant may still be reloading the feed.
      await feed.stop();
      log.info('processor stopped');
    },
  };
}

/** Copies every `EntitiesExtracted` of the document log and its redrive topic to its tenant's partition. */
function routing(
  deps: ByTenantDeps,
  topic: string,
  partitions: number,
  log: Logger,
): OwnedPartitionsOptions {
  return {
    kafka: deps.kafka,
    groupId: routeGroup(deps.topics),
    topics: [deps.topics.events.document, deps.topics.redrive(NAME)],
    logger: log.child({ component: 'router' }),
    transactionTimeoutMs: deps.transactionTimeoutMs,
    // Routing decides nothing and every partition has its own producer: partitions go side by side.
    partitionsConcurrently: ROUTER_PARTITIONS_CONCURRENTLY,
    async handleChunk(chunk, context) {
      const requests: Message[] = [];
      for (const message of chunk) {
        if (headerValue(message, HEADERS.eventType) !== 'EntitiesExtracted' || !message.value)
          continue;
        const tenantId = await tenantOf(message, deps.codec);
        requests.push({
          key: tenantId,
          partition: tenantPartition(tenantId, partitions),
          value: message.value,
          headers: message.headers,
          timestamp: message.timestamp,
        });
      }
      if (requests.length === 0) return context.commitOffsetOnly();
      const transaction = await context.producer.transaction();
      try {
        await sendByPartition(transaction, [{ topic, messages: requests }], context.partitions);
        await transaction.sendOffsets({
          consumerGroupId: routeGroup(deps.topics),
          topics: [
            {
              topic: context.at.topic,
              partitions: [{ partition: context.at.partition, offset: context.at.next }],
            },
          ],
        });
        await transaction.commit();
      } catch (error) {
        await transaction.abort().catch(() => {});
        throw error;
      }
    },
  };
}

const ROUTER_PARTITIONS_CONCURRENTLY = 3;

/** The router's group: it reads the document log (and the redrive topic) for the matcher. */
export const routeGroup = (topics: TopicNames) => `${topics.consumerGroup(NAME)}.route`;

/** The groups matching runs and what each reads, for lag and time-behind metrics. */
export const matchingGroups = (topics: TopicNames) => [
  { groupId: topics.consumerGroup(NAME), topics: [byTenantTopic(topics)] },
  { groupId: routeGroup(topics), topics: [topics.events.document, topics.redrive(NAME)] },
];

/**
 * A router group with no offsets yet starts where the matcher used to read the document log
 * itself, when it did: an upgraded deployment does not decide again what it decided before.
 * Fails, harmlessly, once another replica's router has joined the group.
 */
async function inheritOffsets(admin: Admin, from: string, to: string, topics: readonly string[]) {
  for (const topic of topics) {
    const [own] = await admin.fetchOffsets({ groupId: to, topics: [topic] });
    if (own?.partitions.some((p) => BigInt(p.offset) >= 0n)) continue;
    const [before] = await admin.fetchOffsets({ groupId: from, topics: [topic] });
    const partitions = (before?.partitions ?? []).filter((p) => BigInt(p.offset) >= 0n);
    if (partitions.length === 0) continue;
    await admin.setOffsets({
      groupId: to,
      topic,
      partitions: partitions.map(({ partition, offset }) => ({ partition, offset })),
    });
  }
}

async function tenantOf(message: KafkaMessage, codec: EventCodec): Promise<string> {
  const header = headerValue(message, HEADERS.tenantId);
  if (header) return header;
  return (await codec.decode(message.value as Buffer)).metadata.tenantId;
}

function record(metrics: Metrics, outcomes: readonly Outcome[], seconds: number) {
  for (const outcome of outcomes) {
    metrics.processorEvents.inc({ processor: NAME, outcome: outcome.kind });
    if (outcome.kind === 'failed') metrics.deadLetters.inc({ consumer: NAME });
  }
  metrics.processorChunkSeconds.observe({ processor: NAME }, seconds);
}
