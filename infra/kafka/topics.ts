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
      digest: `${prefix}.log.digests`,
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

/**
 * Creates missing topics; existing ones are left as they are (partitions never shrink). Returns
 * once every partition of every topic has a leader that answers for its offsets, so what starts
 * next can read them: a topic just made (or still being deleted) answers "not the leader" a while.
 */
export async function provisionTopics(admin: Admin, topics: ITopicConfig[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t.topic));
  if (missing.length > 0) {
    // kafkajs' own wait for leaders gives up when a broker does not know the new topic yet
    // (UNKNOWN_TOPIC_OR_PARTITION); the wait below tries again until its deadline.
    await admin.createTopics({ topics: missing, waitForLeaders: false });
  }
  await untilLeadersAnswer(
    admin,
    topics.map((t) => t.topic),
  );
  return missing.map((t) => t.topic);
}

const LEADER_WAIT_MS = 30_000;

async function untilLeadersAnswer(admin: Admin, topics: string[]): Promise<void> {
  const deadline = Date.now() + LEADER_WAIT_MS;
  for (let pause = 50; ; pause = Math.min(pause * 2, 1000)) {
    try {
      const { topics: described } = await admin.fetchTopicMetadata({ topics });
      const leaderless = described.filter((t) => t.partitions.some((p) => p.leader < 0));
      if (leaderless.length > 0) throw new Error(`no leader yet for ${leaderless[0]?.name}`);
      // ListOffsets is what consumers and readers ask first; it is the leader's own answer.
      await Promise.all(topics.map((topic) => admin.fetchTopicOffsets(topic)));
      return;
    } catch (error) {
      if (Date.now() + pause > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}
