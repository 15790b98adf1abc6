import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { type BlobStore, createFileBlobStore } from '../../infra/blobs/blob-store.ts';
import type { Encryption } from '../../infra/crypto/encryption.ts';
import { createSealingCodec } from '../../infra/crypto/sealing-codec.ts';
import { startKeyService } from '../../infra/crypto/service.ts';
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
  blobs: BlobStore;
  encryption: Encryption;
  close(): Promise<void>;
}

export async function createHarness(
  deadLetterConsumers: string[] = [],
  redriveConsumers: string[] = [],
): Promise<Harness> {
  const env = await createTestEnvironment();
  const { config } = env;
  const logger = createLogger(config.logLevel);
  const topics = topicNames(config.topics.prefix);
  await migrate(config.database, logger);
  const pool = createPool(config.database.url, 4);
  const keyService = await startKeyService(config, pool);
  const kafka = createKafka(config, logger);
  const admin = kafka.admin();
  await admin.connect();
  await provisionTopics(
    admin,
    eventLogTopicConfigs(config.topics, topics, deadLetterConsumers, redriveConsumers),
  );
  const registry = createSchemaRegistry(config.registry.url, config.registry.auth);
  const codec = createSealingCodec(
    registry,
    await registerEventSchemas(registry, topics),
    keyService.encryption,
  );
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
    blobs: createFileBlobStore(config.blobs.dir, keyService.encryption),
    encryption: keyService.encryption,
    async close() {
      await keyService.close();
      await producer.disconnect();
      await admin.disconnect();
      await pool.end();
      await env.cleanup();
    },
  };
}

export { readTopic } from '../../infra/kafka/read-topic.ts';
