import type { Admin, Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { type PartitionCounts, partitionCounts } from '../../infra/kafka/send-by-partition.ts';
import {
  type ConsumerRun,
  type CrashWatch,
  NO_KAFKAJS_RESTART,
} from '../../infra/kafka/supervise.ts';
import type { Logger } from '../../infra/logger.ts';
import { createPartitionProducers } from './partition-producers.ts';

/**
 * How quickly the group notices a replica gone and gives its partitions to the others: a member
 * that has not heartbeat for SESSION_TIMEOUT_MS is dropped (6 s is the broker's least by default).
 */
export const SESSION_TIMEOUT_MS = 6000;
const HEARTBEAT_INTERVAL_MS = 1000;
/** Messages per transaction: each costs the same round trips to the broker whatever it carries. */
const CHUNK = 256;

export interface OwnedPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface OwnedPartitionsOptions {
  kafka: Kafka;
  groupId: string;
  topics: readonly string[];
  logger: Logger;
  transactionTimeoutMs: number;
  /** Partitions handled side by side (each has its own producer); one by default. */
  partitionsConcurrently?: number;
  /**
   * Called when the group hands this member partitions it did not hold, after the previous
   * owner's producer has been fenced: what it committed is in the logs, what it had open is
   * aborted. Decisions on those partitions wait until it resolves.
   */
  onAssigned?(gained: readonly OwnedPartition[], owned: readonly OwnedPartition[]): Promise<void>;
  /** Called when partitions went to other members, with those this member still owns. */
  onRevoked?(owned: readonly OwnedPartition[]): void;
  /**
   * Decides a chunk of one partition and commits it, with the consumed offset, through the
   * partition's own transactional producer. Throws to have the chunk consumed again.
   */
  handleChunk(chunk: readonly KafkaMessage[], context: ChunkContext): Promise<void>;
}

export interface ChunkContext {
  readonly producer: Producer;
  /** Where the chunk came from, and the offset after its last message. */
  readonly at: OwnedPartition & { readonly next: string };
  heartbeat(): Promise<void>;
  /** For a chunk that emits nothing: commits its offset without a transaction. */
  commitOffsetOnly(): Promise<void>;
  /** The partition counts of the topics it may write to (see send-by-partition.ts). */
  readonly partitions: PartitionCounts;
}

const keyOf = (p: OwnedPartition) => `${p.topic}\u0000${p.partition}`;

/**
 * A consumer group whose members each own some partitions outright. Every partition has its own
 * transactional producer (see partition-producers.ts), so the member that takes a partition over
 * fences whoever held it before, even one that is alive but late (a long pause, a lost network):
 * the old owner's open transaction is aborted and it can commit nothing more. The new owner then
 * skips what the old owner finished after the group had told it where to start.
 */
export async function startOwnedPartitions(
  options: OwnedPartitionsOptions,
  watch?: CrashWatch,
): Promise<ConsumerRun> {
  const { kafka, groupId, logger: log } = options;
  const admin: Admin = kafka.admin();
  const consumer: Consumer = kafka.consumer({
    groupId,
    readUncommitted: false,
    sessionTimeout: SESSION_TIMEOUT_MS,
    heartbeatInterval: HEARTBEAT_INTERVAL_MS,
    maxWaitTimeInMs: 1000,
    ...NO_KAFKAJS_RESTART,
  });
  watch?.(consumer);
  const producers = createPartitionProducers({
    kafka,
    admin,
    groupId,
    transactionTimeoutMs: options.transactionTimeoutMs,
  });
  const partitions = partitionCounts(admin);
  /** Per owned partition: its producer claimed and the caller's preparation done. */
  const ready = new Map<string, Promise<void>>();
  let owned: OwnedPartition[] = [];
  let memberId: string | undefined;

  const prepare = (gained: OwnedPartition[]) => {
    log.info({ gained: gained.map((p) => `${p.topic}:${p.partition}`) }, 'partitions owned');
    const prepared = (async () => {
      await Promise.all(gained.map((p) => producers.use(p, async () => {})));
      await options.onAssigned?.(gained, owned);
    })();
    for (const p of gained) {
      // A failed preparation is tried again by the partition's next batch.
      prepared.catch(() => ready.delete(keyOf(p)));
      ready.set(keyOf(p), prepared);
    }
  };
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    // A new member id: this member was out of the group meanwhile, and others may have held any
    // of its partitions since.
    const afresh = memberId !== undefined && payload.memberId !== memberId;
    memberId = payload.memberId;
    const now = Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) =>
      partitions.map((partition) => ({ topic, partition })),
    );
    const held = new Set(afresh ? [] : owned.map(keyOf));
    const gained = now.filter((p) => !held.has(keyOf(p)));
    const lost = owned.some((p) => !now.some((n) => keyOf(n) === keyOf(p)));
    owned = now;
    producers.assign(now, afresh);
    for (const key of [...ready.keys()]) if (!now.some((p) => keyOf(p) === key)) ready.delete(key);
    if (lost) options.onRevoked?.(now);
    if (gained.length > 0) prepare(gained);
  });

  await admin.connect();
  await consumer.connect();
  await consumer.subscribe({ topics: [...options.topics], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: options.partitionsConcurrently ?? 1,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
      const at = { topic: batch.topic, partition: batch.partition };
      if (!ready.has(keyOf(at))) prepare([at]);
      // Loading a large tenant outlasts the session timeout: keep telling the group we are alive.
      const beating = setInterval(() => void heartbeat().catch(() => {}), HEARTBEAT_INTERVAL_MS);
      await (ready.get(keyOf(at)) as Promise<void>).finally(() => clearInterval(beating));
      await producers.use(at, async (claimed) => {
        // Skips what is committed though the group told us to start before it.
        const messages = batch.messages.filter((m) => BigInt(m.offset) >= claimed.resumeFrom);
        for (let start = 0; start < messages.length; start += CHUNK) {
          if (!isRunning() || isStale()) return;
          const chunk = messages.slice(start, start + CHUNK);
          const last = chunk.at(-1) as KafkaMessage;
          const next = BigInt(last.offset) + 1n;
          const position = { ...at, offset: String(next) };
          try {
            await options.handleChunk(chunk, {
              producer: claimed.producer,
              at: { ...at, next: position.offset },
              heartbeat,
              commitOffsetOnly: () => consumer.commitOffsets([position]),
              partitions,
            });
          } catch (error) {
            // A fenced or broken producer is not used again: the next batch prepares afresh.
            producers.drop(at);
            ready.delete(keyOf(at));
            throw error;
          }
          claimed.committed(next);
          resolveOffset(last.offset);
          await heartbeat();
        }
        if (messages.length === 0 && batch.messages.length > 0) {
          resolveOffset((batch.messages.at(-1) as KafkaMessage).offset);
        }
      });
    },
  });
  return {
    consumer,
    async stop() {
      await consumer.disconnect();
      await producers.close();
      await admin.disconnect();
    },
  };
}
