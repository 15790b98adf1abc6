import type { Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';
import pLimit from 'p-limit';
import { createEventProducer } from '../../infra/kafka/client.ts';
import {
  type ConsumerRun,
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
import type { Clock } from './envelope.ts';
import { exclusiveAssigner } from './exclusive-assigner.ts';
import { handleMessage, type Outcome, type RetryPolicy } from './handle-message.ts';
import { actorOf, type Processor } from './processor.ts';
import { commitOutcomes } from './transaction.ts';

export interface RuntimeSettings {
  instanceId: string;
  concurrency: number;
  transactionTimeoutMs: number;
  retry: RetryPolicy;
  /** How a crashed consumer is restarted; how soon a dead member is fenced out of the group. */
  restart: RestartPolicy;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** Tries the first start again while it fails for a reason that can pass, until the deadline. */
  startup?: StartupRetry;
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

/** Messages decided and committed together: small enough that a slow OCR chunk stays in time. */
const CHUNK = 16;
const HEARTBEAT_MS = 3000;

/**
 * Runs one processor: a consumer group of its own over the document log and its redrive topic,
 * each chunk of a batch decided and then written in one Kafka transaction with the consumed
 * offsets, so a crash anywhere neither loses nor duplicates an output. A crashed consumer is
 * started again, with its producer, after a backoff, for as long as the process runs.
 */
export function startProcessor<T extends EventType>(
  processor: Processor<T>,
  deps: ProcessorDeps,
): Promise<RunningProcessor> {
  return superviseConsumer(processor.name, () => runProcessor(processor, deps), {
    logger: deps.logger,
    metrics: deps.metrics,
    restart: deps.settings.restart,
    ...(deps.settings.startup ? { firstStart: deps.settings.startup } : {}),
  });
}

async function runProcessor<T extends EventType>(
  processor: Processor<T>,
  deps: ProcessorDeps,
): Promise<ConsumerRun> {
  const { kafka, topics, settings } = deps;
  const log = deps.logger.child({ processor: actorOf(processor) });
  const groupId = topics.consumerGroup(processor.name);
  const producer: Producer = createEventProducer(kafka, {
    transactionalId: `${groupId}.${settings.instanceId}`,
    transactionTimeout: settings.transactionTimeoutMs,
  });
  const consumer: Consumer = kafka.consumer({
    groupId,
    readUncommitted: false,
    sessionTimeout: settings.sessionTimeoutMs,
    heartbeatInterval: settings.heartbeatIntervalMs,
    ...NO_KAFKAJS_RESTART,
    ...(processor.exclusive ? { partitionAssigners: [exclusiveAssigner(Date.now())] } : {}),
  });
  const stopping = new AbortController();
  const release = async () => {
    stopping.abort(new Error('processor stopping'));
    await consumer.disconnect();
    await producer.disconnect();
  };
  try {
    await consume(processor, deps, { producer, consumer, groupId, log, signal: stopping.signal });
  } catch (error) {
    await release().catch(() => {});
    throw error;
  }
  log.info({ groupId }, 'processor started');
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
    producer: Producer;
    consumer: Consumer;
    groupId: string;
    log: Logger;
    signal: AbortSignal;
  },
): Promise<void> {
  const { settings } = deps;
  const { producer, consumer, groupId, log } = run;
  await producer.connect();
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
    partitionsConsumedConcurrently: 1,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
      for (let start = 0; start < batch.messages.length; start += CHUNK) {
        if (!isRunning() || isStale()) return;
        const chunk = batch.messages.slice(start, start + CHUNK);
        const started = performance.now();
        // OCR can outlast a session timeout: keep telling the group we are alive meanwhile.
        const beating = setInterval(() => void heartbeat().catch(() => {}), HEARTBEAT_MS);
        let outcomes: Outcome[];
        try {
          outcomes = await decideChunk(chunk, (m) => decide(m, heartbeat), settings.concurrency);
        } finally {
          clearInterval(beating);
        }
        // The partition went to another member meanwhile: it will decide these again.
        if (isStale()) {
          processor.settled?.(false);
          return;
        }
        const next = String(BigInt((chunk.at(-1) as KafkaMessage).offset) + 1n);
        const position = { topic: batch.topic, partition: batch.partition, offset: next };
        const failed = outcomes.flatMap((outcome, i) =>
          outcome.kind === 'failed' ? [{ outcome, message: chunk[i] as KafkaMessage }] : [],
        );
        for (const { outcome, message } of failed) {
          log.error(
            { reason: outcome.reason, partition: batch.partition, offset: message.offset },
            'event dead-lettered',
          );
        }
        if (outcomes.every((o) => o.kind === 'skipped')) {
          // Nothing to write: the offsets alone need no transaction.
          await consumer.commitOffsets([position]);
        } else {
          await commitOutcomes(
            producer,
            { ...deps, processor, groupId },
            position,
            chunk,
            outcomes,
          ).catch((error: unknown) => {
            processor.settled?.(false);
            throw error;
          });
        }
        processor.settled?.(true);
        resolveOffset((chunk.at(-1) as KafkaMessage).offset);
        record(deps.metrics, processor.name, outcomes, (performance.now() - started) / 1000);
        await heartbeat();
      }
    },
  });
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
