import type { Kafka } from 'kafkajs';
import { type Positions, positionKey } from './positions.ts';
import type { LogBatch } from './runner.ts';

/** A read model being folded from offset 0 into its shadow, never past the caps it is given. */
export interface ShadowFold {
  /** Messages folded so far. */
  folded(): number;
  /** Messages the live projection had dead-lettered that the fold skipped again. */
  skipped(): number;
  /** Lets each partition go up to its cap (exclusive); a partition without one stays at 0. */
  cap(caps: Positions): void;
  stop(): Promise<void>;
}

export interface ShadowFoldDeps {
  kafka: Kafka;
  groupId: string;
  topics: readonly string[];
  /** The caps to start with: the live projection's position, so no partition waits at first. */
  caps: Positions;
  /** Applies a batch to the shadow with its checkpoint; the next offset to apply and what it skipped. */
  apply(batch: LogBatch): Promise<{ next: bigint; deadLettered: number }>;
}

/**
 * Reads the projection's topics from the beginning with a group of its own and applies them to
 * the shadow. The caps keep it from passing the live projection: a partition that reaches its cap
 * is paused, unresolved, and resumes from there once its cap is raised. Offsets are never
 * committed: the shadow's checkpoints say what is applied, and the group is thrown away.
 */
export async function startShadowFold(deps: ShadowFoldDeps): Promise<ShadowFold> {
  let caps = deps.caps;
  const held = new Map<string, { topic: string; partition: number }>();
  let folded = 0;
  let skipped = 0;
  // A short fetch wait: stopping waits for the fetch in flight, once per read model rebuilt.
  const consumer = deps.kafka.consumer({
    groupId: deps.groupId,
    readUncommitted: false,
    maxWaitTimeInMs: 250,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [...deps.topics], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
      if (!isRunning() || isStale()) return;
      const { topic, partition } = batch;
      const key = positionKey(topic, partition);
      const limit = caps.get(key) ?? 0n;
      const below = batch.messages.filter((m) => BigInt(m.offset) < limit);
      if (below.length > 0) {
        const { next, deadLettered } = await deps.apply({ topic, partition, messages: below });
        folded += below.length;
        skipped += deadLettered;
        resolveOffset((next - 1n).toString());
      }
      // A cap raised while the batch was applied lets the next fetch go on from here.
      if (below.length < batch.messages.length && (caps.get(key) ?? 0n) <= limit) {
        held.set(key, { topic, partition });
        consumer.pause([{ topic, partitions: [partition] }]);
      }
      await heartbeat();
    },
  });
  return {
    folded: () => folded,
    skipped: () => skipped,
    cap(next) {
      const raised = [...held].filter(([key]) => (next.get(key) ?? 0n) > (caps.get(key) ?? 0n));
      caps = next;
      for (const [key, { topic, partition }] of raised) {
        held.delete(key);
        consumer.resume([{ topic, partitions: [partition] }]);
      }
    },
    stop: () => consumer.disconnect(),
  };
}
