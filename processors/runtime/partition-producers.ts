import type { Admin, Kafka, Producer } from 'kafkajs';
import { createEventProducer } from '../../infra/kafka/client.ts';

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface PartitionProducer {
  readonly producer: Producer;
  /**
   * What lies below is done: the group's committed offset once the previous holder was fenced,
   * then past every chunk this member committed since. kafkajs puts a member that keeps a
   * partition through a rebalance back at the group's committed offset, which can still lag a
   * transaction whose commit has just returned (its markers are written after), so that offset
   * alone would have the chunk decided twice.
   */
  readonly resumeFrom: bigint;
  /** Notes that this member committed the partition's offsets below `next`. */
  committed(next: bigint): void;
}

export interface PartitionProducers {
  /**
   * Runs `work` with the partition's transactional producer, claimed on first use: whoever held
   * the partition's id before is fenced first, and only then is the committed offset read.
   */
  use<R>(at: TopicPartition, work: (claimed: PartitionProducer) => Promise<R>): Promise<R>;
  /**
   * Follows the group's assignment: claims the partitions gained at once (so a dead or dropped
   * holder's open transactions are aborted now, not at their timeout) and lets go of those lost;
   * a producer in use is disconnected once idle. `afresh` lets go of all first, for a member
   * that was out of the group meanwhile: another may have held its partitions since.
   */
  assign(owned: readonly TopicPartition[], afresh: boolean): void;
  /** Lets go of one partition's producer: it was fenced or broke, and is not used again. */
  drop(at: TopicPartition): void;
  close(): Promise<void>;
}

export const transactionalIdOf = (groupId: string, at: TopicPartition) =>
  `${groupId}.${at.topic}.${at.partition}`;

const keyOf = (at: TopicPartition) => `${at.topic}\u0000${at.partition}`;

/**
 * Registers a transactional producer's id with its coordinator, so that the previous holder of the
 * id is fenced at once: its open transaction is aborted and it can commit nothing more. kafkajs
 * registers the id only when the first transaction begins, not on connect; an empty transaction
 * aborted sends nothing else.
 */
export async function claimTransactionalId(producer: Producer): Promise<void> {
  await producer.connect();
  const transaction = await producer.transaction();
  await transaction.abort();
}

const FENCED = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED']);

/** Whether a transaction failed because a newer holder of its producer's id fenced it out. */
export function isFenced(error: unknown): boolean {
  let current = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    if (FENCED.has(String((current as { type?: unknown }).type))) return true;
    current = current.cause;
  }
  return false;
}

interface Entry {
  readonly producer: Producer;
  readonly claimed: Promise<PartitionProducer>;
  users: number;
  released: boolean;
}

/**
 * One transactional producer per input partition of a consumer group
 * (`<group>.<topic>.<partition>`). Offsets committed in a transaction carry no group generation in
 * kafkajs, so a member the group dropped could otherwise still commit work on a partition that
 * has moved on; with the partition's own id, the member that takes the partition over fences it.
 */
export function createPartitionProducers(options: {
  kafka: Kafka;
  admin: Admin;
  groupId: string;
  transactionTimeoutMs: number;
}): PartitionProducers {
  const { kafka, admin, groupId } = options;
  const entries = new Map<string, Entry>();

  const committedOffset = async (at: TopicPartition) => {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [at.topic] });
    const found = offsets?.partitions.find((o) => o.partition === at.partition);
    return found && BigInt(found.offset) >= 0n ? BigInt(found.offset) : 0n;
  };
  const claim = async (producer: Producer, at: TopicPartition): Promise<PartitionProducer> => {
    await claimTransactionalId(producer);
    let resumeFrom = await committedOffset(at);
    return {
      producer,
      get resumeFrom() {
        return resumeFrom;
      },
      committed(next) {
        if (next > resumeFrom) resumeFrom = next;
      },
    };
  };
  const disconnect = (entry: Entry): Promise<void> => entry.producer.disconnect().catch(() => {});
  const release = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    entry.released = true;
    if (entry.users === 0) void disconnect(entry);
  };

  const open = (key: string, at: TopicPartition) => {
    const producer = createEventProducer(kafka, {
      transactionalId: transactionalIdOf(groupId, at),
      transactionTimeout: options.transactionTimeoutMs,
    });
    const entry: Entry = { producer, claimed: claim(producer, at), users: 0, released: false };
    entries.set(key, entry);
    // A claim that failed is tried afresh by the partition's next use.
    entry.claimed.catch(() => {
      if (entries.get(key) === entry) release(key);
    });
    return entry;
  };

  return {
    async use(at, work) {
      const key = keyOf(at);
      const entry = entries.get(key) ?? open(key, at);
      entry.users++;
      try {
        return await work(await entry.claimed);
      } finally {
        entry.users--;
        if (entry.released && entry.users === 0) void disconnect(entry);
      }
    },
    assign(owned, afresh) {
      const kept = new Set(owned.map(keyOf));
      for (const key of [...entries.keys()]) if (afresh || !kept.has(key)) release(key);
      for (const at of owned) if (!entries.has(keyOf(at))) open(keyOf(at), at);
    },
    drop: (at) => release(keyOf(at)),
    async close() {
      const all = [...entries.values()];
      entries.clear();
      await Promise.all(all.map(disconnect));
    },
  };
}
