import type { KeyObject } from 'node:crypto';
import type { LogRecord } from './frame.ts';
import {
  checkPartition,
  type PartitionCheck,
  type PartitionReport,
  type SignedDigest,
} from './verify.ts';

const partitionKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/**
 * Checks a whole log against its digests, partition by partition: records of each partition in
 * offset order, partitions in any order. Partitions that have digests but no records are
 * reported too (their records are missing).
 */
export function checkLog(digests: readonly SignedDigest[], publicKey: KeyObject) {
  const byPartition = new Map<string, SignedDigest[]>();
  for (const d of digests) {
    const key = partitionKey(d.topic, d.partition);
    byPartition.set(key, [...(byPartition.get(key) ?? []), d]);
  }
  const checks = new Map<string, { topic: string; partition: number; check: PartitionCheck }>();
  const checkOf = (topic: string, partition: number) => {
    const key = partitionKey(topic, partition);
    let entry = checks.get(key);
    if (!entry) {
      const check = checkPartition(topic, partition, byPartition.get(key) ?? [], publicKey);
      entry = { topic, partition, check };
      checks.set(key, entry);
    }
    return entry.check;
  };
  for (const d of digests) checkOf(d.topic, d.partition);
  return {
    add(topic: string, partition: number, record: LogRecord) {
      checkOf(topic, partition).add(record);
    },
    /** One report per partition, by topic then partition. */
    finish(): PartitionReport[] {
      return [...checks.values()]
        .map(({ check }) => check.finish())
        .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    },
  };
}
