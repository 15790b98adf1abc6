import type { Admin } from 'kafkajs';
import { Gauge, type Registry } from 'prom-client';
import type { Logger } from '../logger.ts';

/** A consumer group and the topics it subscribes to. */
export interface WatchedGroup {
  readonly groupId: string;
  readonly topics: readonly string[];
}

interface PartitionLag {
  group: string;
  topic: string;
  partition: string;
  lag: number;
  /** The committed offset: the group's oldest unprocessed message. */
  committed: bigint;
  /** Offsets at the end that may be a commit marker rather than a message (see MARKER_SLACK). */
  slack: bigint;
}

interface Snapshot {
  at: number;
  lags: PartitionLag[];
  /** The end (high watermark) of each partition read, by `topic:partition`. */
  ends: Map<string, bigint>;
  members: { group: string; members: number }[];
}

/** A group whose lag or oldest unprocessed event passes a limit. */
export interface LaggingGroup {
  readonly group: string;
  readonly lag: number;
  readonly secondsBehind: number;
}

export interface ConsumerLag {
  /** The groups whose summed lag passes `maxLag` or whose oldest unprocessed event is older. */
  lagging(limits: { maxLag: number; maxSecondsBehind: number }): Promise<LaggingGroup[]>;
  stop(): void;
}

// The gauges are collected in one scrape: one read of the brokers serves them all.
const SNAPSHOT_TTL_MS = 1000;

/**
 * Consumer lag, time behind and group membership, read from the brokers when /metrics is scraped
 * or /health asks, and every `sampleMs` besides. They are facts of the cluster, not of this
 * process, so a group none of whose members runs still shows its lag growing and its members at
 * 0: that is how a stopped consumer elsewhere is seen.
 *
 * Time behind is the age of a group's oldest unprocessed message, told from the samples: that
 * message arrived between the last sample whose end had not passed it and the first that had.
 * So it is as exact as the sampling interval, and counts from this process's start at most.
 */
export function registerConsumerLag(
  registry: Registry,
  admin: Admin,
  groups: readonly WatchedGroup[],
  logger: Logger,
  options: { sampleMs?: number } = {},
): ConsumerLag {
  const arrivals = new Arrivals();
  let cached: { at: number; snapshot: Promise<Snapshot | null> } | null = null;
  let latest: Snapshot | null = null;
  const snapshot = () => {
    if (!cached || Date.now() - cached.at > SNAPSHOT_TTL_MS) {
      cached = {
        at: Date.now(),
        snapshot: read(admin, groups).then(
          (read) => {
            arrivals.record(read);
            latest = read;
            return read;
          },
          (error: unknown) => {
            logger.warn({ err: error }, 'consumer lag not read: the last values stay');
            return null;
          },
        ),
      };
    }
    return cached.snapshot;
  };
  const sampler =
    options.sampleMs === undefined
      ? undefined
      : setInterval(() => void snapshot(), options.sampleMs);
  sampler?.unref();
  void snapshot();

  new Gauge({
    name: 'docstream_consumer_lag',
    help: 'Messages a consumer group has yet to consume, per topic and partition',
    labelNames: ['group', 'topic', 'partition'],
    registers: [registry],
    async collect() {
      const read = await snapshot();
      for (const { group, topic, partition, lag } of read?.lags ?? []) {
        this.set({ group, topic, partition }, lag);
      }
    },
  });
  new Gauge({
    name: 'docstream_consumer_time_behind_seconds',
    help: "Age of a consumer group's oldest unprocessed message per partition (0: caught up)",
    labelNames: ['group', 'topic', 'partition'],
    registers: [registry],
    async collect() {
      const read = await snapshot();
      for (const lag of read?.lags ?? []) {
        const { group, topic, partition } = lag;
        this.set({ group, topic, partition }, arrivals.secondsBehind(lag, Date.now()));
      }
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
  return {
    async lagging(limits) {
      // The last read, not a new one: /health answers at once, at most one sample late.
      void snapshot();
      const read = latest;
      const now = Date.now();
      const byGroup = new Map<string, { lag: number; secondsBehind: number }>();
      for (const lag of read?.lags ?? []) {
        const sum = byGroup.get(lag.group) ?? { lag: 0, secondsBehind: 0 };
        sum.lag += lag.lag;
        sum.secondsBehind = Math.max(sum.secondsBehind, arrivals.secondsBehind(lag, now));
        byGroup.set(lag.group, sum);
      }
      return [...byGroup]
        .filter(([, g]) => g.lag > limits.maxLag || g.secondsBehind > limits.maxSecondsBehind)
        .map(([group, g]) => ({ group, lag: g.lag, secondsBehind: Math.round(g.secondsBehind) }));
    },
    stop: () => clearInterval(sampler),
  };
}

/**
 * A transaction's commit marker takes an offset after its last message, so a read-committed
 * group that has consumed everything can sit one offset short of the end: that one is no message.
 */
const MARKER_SLACK = 1n;
const MAX_SAMPLES = 1000;

/** When each partition's end was seen to pass each offset: (time, end) pairs, ends rising. */
class Arrivals {
  private readonly samples = new Map<string, { at: number; end: bigint }[]>();

  record(read: Snapshot): void {
    for (const [key, end] of read.ends) {
      const list = this.samples.get(key) ?? [];
      if (list.length === 0 || (list.at(-1)?.end ?? -1n) < end) list.push({ at: read.at, end });
      const oldest = read.lags
        .filter((l) => `${l.topic}:${l.partition}` === key)
        .reduce((min, l) => (l.committed < min ? l.committed : min), end);
      // Samples that every group has passed tell nothing more; keep the last of them.
      while (list.length > 1 && (list[1]?.end ?? 0n) <= oldest) list.shift();
      if (list.length > MAX_SAMPLES) list.splice(0, list.length - MAX_SAMPLES);
      this.samples.set(key, list);
    }
  }

  secondsBehind(lag: PartitionLag, now: number): number {
    const list = this.samples.get(`${lag.topic}:${lag.partition}`) ?? [];
    const first = list.find((s) => s.end > lag.committed + lag.slack);
    return first ? (now - first.at) / 1000 : 0;
  }
}

async function read(admin: Admin, watched: readonly WatchedGroup[]): Promise<Snapshot> {
  const at = Date.now();
  // A topic its processor creates when it first starts (the matcher's) may not exist yet.
  const existing = new Set(await admin.listTopics());
  const groups = watched
    .map((g) => ({ ...g, topics: g.topics.filter((t) => existing.has(t)) }))
    .filter((g) => g.topics.length > 0);
  const topics = [...new Set(groups.flatMap((g) => g.topics))];
  const ends = new Map(
    await Promise.all(topics.map(async (t) => [t, await admin.fetchTopicOffsets(t)] as const)),
  );
  const lags: Snapshot['lags'] = [];
  const committedByGroup = await Promise.all(
    groups.map(async ({ groupId, topics: subscribed }) => ({
      groupId,
      committed: await admin.fetchOffsets({ groupId, topics: [...subscribed] }),
    })),
  );
  for (const { groupId, committed } of committedByGroup) {
    for (const { topic, partitions } of committed) {
      for (const { partition, offset } of partitions) {
        const end = ends.get(topic)?.find((p) => p.partition === partition);
        if (!end) continue;
        // Nothing committed yet: the group starts from the earliest offset still kept.
        const from = BigInt(offset) >= 0n ? BigInt(offset) : BigInt(end.low);
        const lag = Number(BigInt(end.high) - from);
        lags.push({
          group: groupId,
          topic,
          partition: String(partition),
          lag: Math.max(lag, 0),
          committed: from,
          // A group that never committed has consumed nothing: all it has not read is unread.
          slack: BigInt(offset) >= 0n ? MARKER_SLACK : 0n,
        });
      }
    }
  }
  const described = await admin.describeGroups(groups.map((g) => g.groupId));
  const members = described.groups.map((g) => ({ group: g.groupId, members: g.members.length }));
  const endsByPartition = new Map<string, bigint>();
  for (const [topic, partitions] of ends) {
    for (const p of partitions) endsByPartition.set(`${topic}:${p.partition}`, BigInt(p.high));
  }
  return { at, lags, ends: endsByPartition, members };
}
