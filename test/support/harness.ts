import { randomUUID } from 'node:crypto';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { createEventProducer, createKafka } from '../../infra/kafka/client.ts';
import { createEventLog, type EventLog } from '../../infra/kafka/event-log.ts';
import {
  eventLogTopicConfigs,
  provisionTopics,
  type TopicNames,
  topicNames,
} from '../../infra/kafka/topics.ts';
import { createLogger, type Logger } from '../../infra/logger.ts';
import { createMetrics, type Metrics } from '../../infra/metrics.ts';
import { createPool, migrate, type Pool } from '../../infra/postgres.ts';
import {
  createEventCodec,
  createSchemaRegistry,
  type EventCodec,
  registerEventSchemas,
} from '../../schemas/codec.ts';
import { createTestEnvironment, type TestEnvironment } from './environment.ts';

/** The real parts, wired as the system wires them, in a private test environment. */
export interface Harness extends TestEnvironment {
  logger: Logger;
  kafka: Kafka;
  admin: Admin;
  producer: Producer;
  registry: SchemaRegistry;
  codec: EventCodec;
  eventLog: EventLog;
  pool: Pool;
  topics: TopicNames;
  metrics: Metrics;
  close(): Promise<void>;
}

export async function createHarness(deadLetterConsumers: string[] = []): Promise<Harness> {
  const env = await createTestEnvironment();
  const { config } = env;
  const logger = createLogger(config.logLevel);
  const topics = topicNames(config.topics.prefix);
  await migrate(config.database.url, logger);
  const pool = createPool(config.database.url, 4);
  const kafka = createKafka(config, logger);
  const admin = kafka.admin();
  await admin.connect();
  await provisionTopics(admin, eventLogTopicConfigs(config.topics, topics, deadLetterConsumers));
  const registry = createSchemaRegistry(config.registry.url);
  const codec = createEventCodec(registry, await registerEventSchemas(registry, topics));
  const producer = createEventProducer(kafka);
  await producer.connect();
  return {
    ...env,
    logger,
    kafka,
    admin,
    producer,
    registry,
    codec,
    eventLog: createEventLog(producer, codec, topics),
    pool,
    topics,
    metrics: createMetrics(),
    async close() {
      await producer.disconnect();
      await admin.disconnect();
      await pool.end();
      await env.cleanup();
    },
  };
}

/**
 * Every message on a topic from the beginning up to its current end, read committed. Progress
 * is tracked from batch ends, which also count transaction markers the consumer never sees.
 */
export async function readTopic(kafka: Kafka, admin: Admin, topic: string) {
  const ends = (await admin.fetchTopicOffsets(topic)).filter((p) => BigInt(p.high) > BigInt(p.low));
  const messages: Array<{
    partition: number;
    offset: string;
    key: string | null;
    value: Buffer | null;
    headers: Record<string, string>;
  }> = [];
  if (ends.length === 0) return messages;
  const reached = new Map<number, bigint>();
  const consumer = kafka.consumer({ groupId: `reader-${topic}-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const done = new Promise<void>((resolve) => {
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      reached.set(payload.partition, BigInt(payload.lastOffset));
      if (ends.every((p) => (reached.get(p.partition) ?? -1n) >= BigInt(p.high) - 1n)) resolve();
    });
  });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const headers = Object.fromEntries(
        Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
      );
      messages.push({
        partition,
        offset: message.offset,
        key: message.key?.toString() ?? null,
        value: message.value,
        headers,
      });
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`read ${messages.length} of ${topic}`)), 20_000);
  });
  try {
    await Promise.race([done, timeout]);
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
  return messages;
}
