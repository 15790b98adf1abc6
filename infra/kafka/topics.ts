import type { Admin, ITopicConfig } from 'kafkajs';
import type { AggregateKind } from '../../schemas/catalog.ts';
import type { Config } from '../config.ts';

export interface TopicNames {
  events: Record<AggregateKind, string>;
  deadLetter(consumer: string): string;
  /** Where dead letters are sent back to, for their consumer alone to try again. */
  redrive(consumer: string): string;
  consumerGroup(consumer: string): string;
}

export function topicNames(prefix: string): TopicNames {
  return {
    events: {
      document: `${prefix}.document.events`,
      patient: `${prefix}.patient.events`,
      batch: `${prefix}.batch.events`,
      audit: `${prefix}.audit.events`,
    },
    deadLetter: (consumer) => `${prefix}.dlq.${consumer}`,
    redrive: (consumer) => `${prefix}.redrive.${consumer}`,
    consumerGroup: (consumer) => `${prefix}.${consumer}`,
  };
}

export function eventLogTopicConfigs(
  config: Config['topics'],
  names: TopicNames,
  deadLetterConsumers: readonly string[] = [],
  redriveConsumers: readonly string[] = [],
): ITopicConfig[] {
  const logTopic = (topic: string): ITopicConfig => ({
    topic,
    numPartitions: config.partitions,
    replicationFactor: config.replicationFactor,
    configEntries: [
      { name: 'retention.ms', value: String(config.retentionMs) },
      { name: 'retention.bytes', value: '-1' },
      { name: 'cleanup.policy', value: 'delete' },
      { name: 'min.insync.replicas', value: String(config.minInsyncReplicas) },
    ],
  });
  return [
    ...Object.values(names.events).map(logTopic),
    ...deadLetterConsumers.map((c) => logTopic(names.deadLetter(c))),
    ...redriveConsumers.map((c) => logTopic(names.redrive(c))),
  ];
}

/** Creates missing topics; existing ones are left as they are (partitions never shrink). */
export async function provisionTopics(admin: Admin, topics: ITopicConfig[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t.topic));
  if (missing.length > 0) {
    await admin.createTopics({ topics: missing, waitForLeaders: true });
  }
  return missing.map((t) => t.topic);
}
