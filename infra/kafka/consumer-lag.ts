import type { Admin } from 'kafkajs';
import { Gauge, type Registry } from 'prom-client';
import type { Logger } from '../logger.ts';

/** A consumer group and the topics it subscribes to. */
export interface WatchedGroup {
  readonly groupId: string;
  readonly topics: readonly string[];
}

interface Snapshot {
  lags: { group: string; topic: string; partition: string; lag: number }[];
  members: { group: string; members: number }[];
}

// Both gauges are collected in one scrape: one read of the brokers serves them.
const SNAPSHOT_TTL_MS = 1000;

/**
 * Consumer lag and group membership, read from the brokers when /metrics is scraped. They are
 * facts of the cluster, not of this process, so a group none of whose members runs still shows
 * its lag growing and its members at 0: that is how a stopped consumer is seen.
 */
export function registerConsumerLag(
  registry: Registry,
  admin: Admin,
  groups: readonly WatchedGroup[],
  logger: Logger,
): void {
  let cached: { at: number; snapshot: Promise<Snapshot | null> } | null = null;
  const snapshot = () => {
    if (!cached || Date.now() - cached.at > SNAPSHOT_TTL_MS) {
      cached = {
        at: Date.now(),
        snapshot: read(admin, groups).catch((error: unknown) => {
          logger.warn({ err: error }, 'consumer lag not read: the last values stay');
          return null;
        }),
      };
    }
    return cached.snapshot;
  };

  new Gauge({
    name: 'docstream_consumer_lag',
    help: 'Messages a consumer group has yet to consume, per topic and partition',
    labelNames: ['group', 'topic', 'partition'],
    registers: [registry],
    async collect() {
      const read = await snapshot();
      for (const { lag, ...labels } of read?.lags ?? []) this.set(labels, lag);
    },
  });
  new Gauge({
    name: 'docstream_consumer_group_members',
    help: 'Members of a consumer group (0: nothing consumes its topics)',
    labelNames: ['group'],
    registers: [registry],
    async collect() {
      const read = await snapshot();
      for (const { group, members } of read?.members ?? []) this.set({ group }, members);
    },
  });
}

async function read(admin: Admin, groups: readonly WatchedGroup[]): Promise<Snapshot> {
  const topics = [...new Set(groups.flatMap((g) => g.topics))];
  const ends = new Map(
    await Promise.all(topics.map(async (t) => [t, await admin.fetchTopicOffsets(t)] as const)),
  );
  const lags: Snapshot['lags'] = [];
  for (const { groupId, topics: subscribed } of groups) {
    const committed = await admin.fetchOffsets({ groupId, topics: [...subscribed] });
    for (const { topic, partitions } of committed) {
      for (const { partition, offset } of partitions) {
        const end = ends.get(topic)?.find((p) => p.partition === partition);
        if (!end) continue;
        // Nothing committed yet: the group starts from the earliest offset still kept.
        const from = BigInt(offset) >= 0n ? BigInt(offset) : BigInt(end.low);
        const lag = Number(BigInt(end.high) - from);
        lags.push({ group: groupId, topic, partition: String(partition), lag: Math.max(lag, 0) });
      }
    }
  }
  const described = await admin.describeGroups(groups.map((g) => g.groupId));
  const members = described.groups.map((g) => ({ group: g.groupId, members: g.members.length }));
  return { lags, members };
}
