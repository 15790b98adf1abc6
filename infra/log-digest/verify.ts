import type { KeyObject } from 'node:crypto';
import { DIGEST_BYTES, GENESIS, type RangeHasher, recordHash, startRange } from './chain.ts';
import { FRAMING, type LogRecord } from './frame.ts';
import { type DigestFields, signatureHolds } from './signing.ts';

export interface SignedDigest extends DigestFields {
  signature: Buffer;
}

/** The first thing found wrong in a partition: a record, or a digest, by its coordinates. */
export interface Failure {
  topic: string;
  partition: number;
  /** The record that differs (or after which records are missing); null: a digest is at fault. */
  offset: string | null;
  /** The range of the digest concerned. */
  range: { firstOffset: string; lastOffset: string } | null;
  reason: string;
}

export interface PartitionReport {
  topic: string;
  partition: number;
  /** The ranges whose records all hashed to their signed digests, as one span. */
  verified: { firstOffset: string; lastOffset: string; records: number; digests: number } | null;
  /** Records after the last digest: not covered yet, not a failure. */
  uncovered: { firstOffset: string; lastOffset: string; records: number } | null;
  failure: Failure | null;
}

export interface PartitionCheck {
  /** Records of the partition, in offset order; after a failure the rest are ignored. */
  add(record: LogRecord): void;
  finish(): PartitionReport;
}

const byFirstOffset = (a: SignedDigest, b: SignedDigest) =>
  BigInt(a.firstOffset) < BigInt(b.firstOffset) ? -1 : 1;

/** What is wrong with the digests themselves (signature, link, shape), in chain order. */
function digestFault(
  digests: readonly SignedDigest[],
  publicKey: KeyObject,
): Omit<Failure, 'topic' | 'partition'> | null {
  let previous: SignedDigest | null = null;
  for (const d of digests) {
    const range = { firstOffset: d.firstOffset, lastOffset: d.lastOffset };
    const fault = (reason: string) => ({ offset: null, range, reason });
    if (!signatureHolds(d, publicKey)) return fault(`signature does not hold (key ${d.keyId})`);
    if (d.framing !== FRAMING) return fault(`unknown framing ${d.framing}`);
    if (d.recordHashes.length !== d.recordCount * DIGEST_BYTES || d.recordCount < 1) {
      return fault('record hashes do not match the record count');
    }
    if (!d.previousDigest.equals(previous ? previous.digest : GENESIS)) {
      return fault(
        previous
          ? 'does not chain onto the digest before it'
          : 'first digest does not start the chain',
      );
    }
    if (previous && BigInt(d.firstOffset) <= BigInt(previous.lastOffset)) {
      return fault('overlaps the range before it');
    }
    previous = d;
  }
  return null;
}

/**
 * Checks one partition's records against its signed digests: every digest's signature and link,
 * then each record's frame hash and each range's chained digest, in offset order.
 */
export function checkPartition(
  topic: string,
  partition: number,
  signed: readonly SignedDigest[],
  publicKey: KeyObject,
): PartitionCheck {
  const digests = [...signed].sort(byFirstOffset);
  const fault = digestFault(digests, publicKey);
  let failure: Failure | null = fault ? { topic, partition, ...fault } : null;
  let index = 0;
  let inRange = 0;
  let hasher: RangeHasher = startRange(GENESIS);
  let verifiedRecords = 0;
  let lastSeen: bigint | null = null;
  let uncovered: PartitionReport['uncovered'] = null;

  const fail = (offset: string, reason: string) => {
    const d = digests[index];
    const range = d ? { firstOffset: d.firstOffset, lastOffset: d.lastOffset } : null;
    failure = { topic, partition, offset, range, reason };
  };

  return {
    add(record) {
      if (failure) return;
      const offset = BigInt(record.offset);
      if (lastSeen !== null && offset <= lastSeen) {
        return fail(record.offset, `out of order after offset ${lastSeen}`);
      }
      lastSeen = offset;
      const d = digests[index];
      if (!d) {
        const first = uncovered?.firstOffset ?? record.offset;
        uncovered = {
          firstOffset: first,
          lastOffset: record.offset,
          records: (uncovered?.records ?? 0) + 1,
        };
        return;
      }
      if (inRange === 0 && offset < BigInt(d.firstOffset)) {
        return fail(record.offset, `in no signed range (the next starts at ${d.firstOffset})`);
      }
      const expected = d.recordHashes.subarray(
        inRange * DIGEST_BYTES,
        (inRange + 1) * DIGEST_BYTES,
      );
      if (!recordHash(record).equals(expected)) {
        return fail(
          record.offset,
          `differs from record ${inRange + 1} of the signed range (or one before it is missing)`,
        );
      }
      hasher.add(record);
      inRange += 1;
      if (inRange < d.recordCount) return;
      const sealed = hasher.seal();
      if (!sealed.digest.equals(d.digest) || sealed.lastOffset !== d.lastOffset) {
        return fail(record.offset, 'the range does not hash to its signed digest');
      }
      verifiedRecords += d.recordCount;
      index += 1;
      inRange = 0;
      hasher = startRange(d.digest);
    },
    finish() {
      const d = digests[index];
      if (!failure && d) {
        const after = lastSeen === null ? 'the start' : `offset ${lastSeen}`;
        failure = {
          topic,
          partition,
          offset: lastSeen === null ? d.firstOffset : String(lastSeen),
          range: { firstOffset: d.firstOffset, lastOffset: d.lastOffset },
          reason: `records missing after ${after}: the range holds ${d.recordCount}, ${inRange} found`,
        };
      }
      const done = digests.slice(0, index);
      const first = done[0];
      const last = done.at(-1);
      return {
        topic,
        partition,
        verified:
          first && last
            ? {
                firstOffset: first.firstOffset,
                lastOffset: last.lastOffset,
                records: verifiedRecords,
                digests: done.length,
              }
            : null,
        uncovered,
        failure,
      };
    },
  };
}
