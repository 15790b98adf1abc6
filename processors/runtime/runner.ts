import type { Admin, Batch, Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import pLimit from 'p-limit';
import type { Config } from '../../infra/config.ts';
import { type PartitionCounts, partitionCounts } from '../../infra/kafka/send-by-partition.ts';
import {
  type ConsumerRun,
  type CrashWatch,
  NO_KAFKAJS_RESTART,
  type RestartPolicy,
  type SupervisedConsumer,
  superviseConsumer,
} from '../../infra/kafka/supervise.ts';
import type { TopicNames } from '../../infra/kafka/topics.ts';
import type { Logger } from '../../infra/logger.ts';
import type { Metrics } from '../../infra/metrics.ts';
import type { StartupRetry } from '../../infra/startup.ts';
import type { EventCodec } from '../../schemas/codec.ts';
import type { EventType } from '../../schemas/events.ts';
import { type Chunk, type ChunkLimits, takeChunk } from './chunks.ts';
import type { Clock } from './envelope.ts';
import { exclusiveAssigner } from './exclusive-assigner.ts';
import { handleMessage, type Outcome, type RetryPolicy } from './handle-message.ts';
import {
  createPartitionProducers,
  isFenced,
  type PartitionProducer,
  type PartitionProducers,
  type TopicPartition,
} from './partition-producers.ts';
import { actorOf, type Processor } from './processor.ts';
import { commitOutcomes } from './transaction.ts';

export interface RuntimeSettings {
  instanceId: string;
  concurrency: number;
  /** How many messages, and how long deciding them, one transaction takes at most. */
  chunk: ChunkLimits;
  /**
   * Partitions decided side by side, each in transactions of its own producer; one for a
   * processor that remembers its decisions or decides alone (`settled`, `exclusive`).
   */
  partitionsConcurrently: number;
  transactionTimeoutMs: number;
  retry: RetryPolicy;
  /** How a crashed consumer is restarted; how soon a dead member is fenced out of the group. */
  restart: RestartPolicy;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** Tries the first start again while it fails for a reason that can pass, until the deadline. */
  startup?: StartupRetry;
}

/** The runtime's settings as configured: every processor starts with these. */
export function runtimeSettingsOf(config: Config): RuntimeSettings {
  const { processors: settings, consumers } = config;
  return {
    instanceId: settings.instanceId,
    concurrency: settings.concurrency,
    chunk: settings.chunk,
    partitionsConcurrently: settings.partitionsConcurrently,
    transactionTimeoutMs: settings.transactionTimeoutMs,
    restart: consumers.restart,
    sessionTimeoutMs: consumers.sessionTimeoutMs,
    heartbeatIntervalMs: consumers.heartbeatIntervalMs,
    retry: {
      maxRetries: settings.maxRetries,
      baseMs: settings.retryBaseMs,
      maxMs: settings.retryMaxMs,
      maxHoldMs: settings.maxHoldMs,
    },
  };
}

export interface ProcessorDeps {
  kafka: Kafka;
  codec: EventCodec;
  topics: TopicNames;
  logger: Logger;
  metrics: Metrics;
  settings: RuntimeSettings;
  clock: Clock;
}

export type RunningProcessor = SupervisedConsumer;

const HEARTBEAT_MS = 3000;

/**
 * Runs one processor: a consumer group of its own over the document log and its redrive topic,
 * each chunk of a batch decided and then written in one Kafka transaction with the consumed
 * offsets, so a crash anywhere neither loses nor duplicates an output. Each input partition
 * has its own transactional producer, claimed by whichever member owns the partition now, so a
 * member the group dropped while it was deciding cannot commit that work after all. A crashed
 * consumer is started again after a backoff, for as long as the process runs.
 */
export function startProcessor<T extends EventType>(
  processor: Processor<T>,
  deps: ProcessorDeps,
): Promise<RunningProcessor> {
  return superviseConsumer(processor.name, (watch) => runProcessor(processor, deps, watch), {
    logger: deps.logger,
    metrics: deps.metrics,
    restart: deps.settings.restart,
    ...(deps.settings.startup ? { firstStart: deps.settings.startup } : {}),
  });
}

async function runProcessor<T extends EventType>(
  processor: Processor<T>,
  deps: ProcessorDeps,
  watch: CrashWatch,
): Promise<ConsumerRun> {
  const { kafka, topics, settings } = deps;
  const log = deps.logger.child({ processor: actorOf(processor) });
  const groupId = topics.consumerGroup(processor.name);
  const admin: Admin = kafka.admin();
  const producers = createPartitionProducers({
    kafka,
    admin,
    groupId,
    transactionTimeoutMs: settings.transactionTimeoutMs,
  });
  const consumer: Consumer = kafka.consumer({
    groupId,
    readUncommitted: false,
    sessionTimeout: settings.sessionTimeoutMs,
    heartbeatInterval: settings.heartbeatIntervalMs,
    ...NO_KAFKAJS_RESTART,
    ...(processor.exclusive ? { partitionAssigners: [exclusiveAssigner(Date.now())] } : {}),
  });
  watch(consumer);
  const stopping = new AbortController();
  const release = async () => {
    stopping.abort(new Error('processor stopping'));
    await consumer.disconnect();
    await producers.close();
    await admin.disconnect();
  };
  try {
    await admin.connect();
    await consume(processor, deps, {
      producers,
      partitions: partitionCounts(admin),
      consumer,
      groupId,
      log,
      signal: stopping.signal,
    });
  } catch (error) {
    await release().catch(() => {});
    throw error;
  }
  log.info({ groupId, instanceId: settings.instanceId }, 'processor started');
  return {
    consumer,
    async stop() {
      await release();
      log.info('processor stopped');
    },
  };
}

async function consume<T extends EventType>(
  processor: Processor<T>,
  deps: ProcessorDeps,
  run: {
    producers: PartitionProducers;
    partitions: PartitionCounts;
    consumer: Consumer;
    groupId: string;
    log: Logger;
    signal: AbortSignal;
  },
): Promise<void> {
  const { settings } = deps;
  const { producers, consumer, groupId, log } = run;
  const lost = lostPartitions(settings.sessionTimeoutMs);
  let memberId: string | undefined;
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    // A new member id: this member was out of the group meanwhile, and others may have held any
    // of its partitions since.
    const afresh = memberId !== undefined && payload.memberId !== memberId;
    memberId = payload.memberId;
    lost.resumeAll();
    producers.assign(partitionsOf(payload.memberAssignment), afresh);
  });
  await consumer.connect();
  await consumer.subscribe({
    topics: [deps.topics.events.document, deps.topics.redrive(processor.name)],
    fromBeginning: true,
  });

  const decide = (message: KafkaMessage, heartbeat: () => Promise<void>) =>
    handleMessage(processor, message, {
      codec: deps.codec,
      retry: settings.retry,
      clock: deps.clock,
      heartbeat,
      signal: run.signal,
      onRetry: (error, attempt) =>
        log.warn({ err: error, attempt, offset: message.offset }, 'processing failed, retrying'),
    });

  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently:
      processor.settled || processor.exclusive ? 1 : settings.partitionsConcurrently,
    eachBatch: async (payload) => {
      const at = { topic: payload.batch.topic, partition: payload.batch.partition };
      if (lost.has(at)) return;
      // Claiming a partition waits until its previous holder's open transaction is aborted.
      const beating = setInterval(() => void payload.heartbeat().catch(() => {}), HEARTBEAT_MS);
      await producers
        .use(at, async (claimed) => {
          clearInterval(beating);
          try {
            await consumeBatch(claimed, payload.batch, payload);
          } catch (error) {
            if (!isFenced(error)) throw error;
            // The member that owns the partition now claimed its producer: it decides these
            // messages again. Trying them here would fence it in turn, so the partition waits
            // for this member's next assignment.
            log.warn({ partition: at.partition }, 'partition taken over, chunk abandoned');
            producers.drop(at);
            lost.add(at, payload.pause);
          }
        })
        .finally(() => clearInterval(beating));
    },
  });

  async function consumeBatch(
    claimed: PartitionProducer,
    batch: Pick<Batch, 'topic' | 'partition' | 'messages'>,
    control: Pick<EachBatchPayload, 'resolveOffset' | 'heartbeat' | 'isRunning' | 'isStale'>,
  ) {
    const { resolveOffset, heartbeat, isRunning, isStale } = control;
    const limits = { ...settings.chunk, window: 2 * settings.concurrency };
    // Skips what is committed though the group told us to start before it.
    const messages = batch.messages.filter((m) => BigInt(m.offset) >= claimed.resumeFrom);
    const last = batch.messages.at(-1);
    if (messages.length === 0 && last) resolveOffset(last.offset);
    let start = 0;
    while (start < messages.length) {
      if (!isRunning() || isStale()) return;
      const started = performance.now();
      // OCR can outlast a session timeout: keep telling the group we are alive meanwhile.
      const beating = setInterval(() => void heartbeat().catch(() => {}), HEARTBEAT_MS);
      let chunk: Chunk;
      try {
        chunk = await takeChunk(messages, start, limits, (window) =>
          decideChunk(window, (m) => decide(m, heartbeat), settings.concurrency),
        );
      } finally {
        clearInterval(beating);
      }
      const { outcomes } = chunk;
      start += chunk.messages.length;
      // The partition went to another member meanwhile: it will decide these again.
      if (isStale()) {
        processor.settled?.(false);
        return;
      }
      const decided = chunk.messages.at(-1) as KafkaMessage;
      const position = {
        topic: batch.topic,
        partition: batch.partition,
        offset: String(BigInt(decided.offset) + 1n),
      };
      for (const [i, outcome] of outcomes.entries()) {
        if (outcome.kind !== 'failed') continue;
        log.error(
          { reason: outcome.reason, partition: batch.partition, offset: chunk.messages[i]?.offset },
          'event dead-lettered',
        );
      }
      if (outcomes.every((o) => o.kind === 'skipped')) {
        // Nothing to write: the offsets need no transaction, and none at all while the batch
        // goes on, since the next chunk's commit covers them.
        if (start >= messages.length) {
          await consumer.commitOffsets([position]);
          claimed.committed(BigInt(position.offset));
        }
      } else {
        const ctx = { ...deps, processor, groupId, partitions: run.partitions };
        await commitOutcomes(claimed.producer, ctx, position, chunk.messages, outcomes).catch(
          (error: unknown) => {
            processor.settled?.(false);
            throw error;
          },
        );
        claimed.committed(BigInt(position.offset));
      }
      processor.settled?.(true);
      resolveOffset(decided.offset);
      record(deps.metrics, processor.name, outcomes, (performance.now() - started) / 1000);
      await heartbeat();
    }
  }
}

const partitionsOf = (assignment: Record<string, number[]>): TopicPartition[] =>
  Object.entries(assignment).flatMap(([topic, partitions]) =>
    partitions.map((partition) => ({ topic, partition })),
  );

/**
 * Partitions paused after another member fenced their producer, until this member's next
 * assignment; or, should none come (the fencing member was the late one), for a session timeout.
 */
function lostPartitions(sessionTimeoutMs: number) {
  const resumes = new Map<string, () => void>();
  const keyOf = (at: TopicPartition) => `${at.topic}\u0000${at.partition}`;
  return {
    has: (at: TopicPartition) => resumes.has(keyOf(at)),
    add(at: TopicPartition, pause: () => () => void) {
      const resume = pause();
      const timer = setTimeout(() => resumes.get(keyOf(at))?.(), sessionTimeoutMs).unref();
      resumes.set(keyOf(at), () => {
        clearTimeout(timer);
        resumes.delete(keyOf(at));
        resume();
      });
    },
    resumeAll() {
      for (const resume of [...resumes.values()]) resume();
    },
  };
}

/**
 * Decides a chunk's messages concurrently across documents, in order within one document, so
 * the events of each document are emitted in the order their causes sit in the log.
 */
export async function decideChunk(
  chunk: KafkaMessage[],
  decide: (message: KafkaMessage) => Promise<Outcome>,
  concurrency: number,
): Promise<Outcome[]> {
  const limit = pLimit(concurrency);
  const tails = new Map<string, Promise<unknown>>();
  return Promise.all(
    chunk.map((message) => {
      const key = message.key?.toString() ?? `offset:${message.offset}`;
      const previous = tails.get(key) ?? Promise.resolve();
      const next = previous.then(() => limit(() => decide(message)));
      tails.set(key, next);
      return next;
    }),
  );
}

function record(metrics: Metrics, processor: string, outcomes: Outcome[], seconds: number) {
  for (const outcome of outcomes) {
    metrics.processorEvents.inc({ processor, outcome: outcome.kind });
    if (outcome.kind === 'failed') metrics.deadLetters.inc({ consumer: processor });
  }
  metrics.processorChunkSeconds.observe({ processor }, seconds);
}
