import { createHash, hash } from 'node:crypto';
import { frameRecord, type LogRecord } from './frame.ts';

export const DIGEST_BYTES = 32;
/** The previous digest of a partition's first range. */
export const GENESIS: Buffer = Buffer.alloc(DIGEST_BYTES);

/** What one range of a partition comes to, before it is signed. */
export interface ChainedRange {
  firstOffset: string;
  lastOffset: string;
  recordCount: number;
  previousDigest: Buffer;
  /** SHA-256(previousDigest ‖ frame(r1) ‖ frame(r2) ‖ …), records in offset order. */
  digest: Buffer;
  /** SHA-256(frame(r)) of each record, concatenated: which record differs, when one does. */
  recordHashes: Buffer;
}

export interface RangeHasher {
  readonly recordCount: number;
  /** Records must come in increasing offset order. */
  add(record: LogRecord): void;
  seal(): ChainedRange;
}

/** Hashes a range as its records arrive, without keeping them. */
export function startRange(previousDigest: Buffer): RangeHasher {
  if (previousDigest.length !== DIGEST_BYTES) throw new RangeError('a digest is 32 bytes');
  const chained = createHash('sha256').update(previousDigest);
  const hashes: Buffer[] = [];
  let first: string | null = null;
  let last: bigint | null = null;
  return {
    get recordCount() {
      return hashes.length;
    },
    add(record) {
      const offset = BigInt(record.offset);
      if (last !== null && offset <= last) {
        throw new RangeError(`offset ${record.offset} does not follow ${last}`);
      }
      const frame = frameRecord(record);
      chained.update(frame);
      hashes.push(sha256(frame));
      first ??= record.offset;
      last = offset;
    },
    seal() {
      if (first === null || last === null) throw new Error('an empty range has no digest');
      return {
        firstOffset: first,
        lastOffset: String(last),
        recordCount: hashes.length,
        previousDigest,
        digest: chained.digest(),
        recordHashes: Buffer.concat(hashes),
      };
    },
  };
}

/** The digest of `records` chained onto `previousDigest`. */
export function chainRange(previousDigest: Buffer, records: readonly LogRecord[]): ChainedRange {
  const range = startRange(previousDigest);
  for (const record of records) range.add(record);
  return range.seal();
}

// The one-shot hash: much cheaper than a Hash object per record.
const sha256 = (bytes: Buffer): Buffer => hash('sha256', bytes, 'buffer') as unknown as Buffer;

export const recordHash = (record: LogRecord): Buffer => sha256(frameRecord(record));
