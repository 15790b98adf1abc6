import type { Admin, Kafka } from 'kafkajs';
import type { Config } from '../../infra/config.ts';
import { createKafka } from '../../infra/kafka/client.ts';
import { topicNames } from '../../infra/kafka/topics.ts';
import { createLogger } from '../../infra/logger.ts';
import { createEventCodec, createSchemaRegistry, type EventCodec } from '../../schemas/codec.ts';

export interface LogConnection {
  kafka: Kafka;
  admin: Admin;
  /** Decodes only: LogDigest records, by the schema id each carries. */
  codec: EventCodec;
  digestTopic: string;
  close(): Promise<void>;
}

export async function connectToLog(config: Config): Promise<LogConnection> {
  const kafka = createKafka(config, createLogger('error', process.stderr));
  const admin = kafka.admin();
  await admin.connect();
  const registry = createSchemaRegistry(config.registry.url, config.registry.auth);
  return {
    kafka,
    admin,
    codec: createEventCodec(registry, new Map()),
    digestTopic: topicNames(config.topics.prefix).events.digest,
    close: () => admin.disconnect(),
  };
}

/** Every topic of the prefix but the digest log, whose records are each signed on their own. */
export async function digestedTopics(admin: Admin, prefix: string, digestTopic: string) {
  return (await admin.listTopics())
    .filter((t) => t.startsWith(`${prefix}.`) && t !== digestTopic)
    .sort();
}
