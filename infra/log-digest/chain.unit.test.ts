import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chainRange, GENESIS, startRange } from './chain.ts';
import { frameRecord, type LogRecord } from './frame.ts';

const record = (offset: number, value: string): LogRecord => ({
  offset: String(offset),
  timestamp: String(1_700_000_000_000 + offset),
  key: Buffer.from('doc-1'),
  value: Buffer.from(value),
  headers: [],
});

describe('the digest chain of a partition', () => {
  const records = [record(0, 'a'), record(1, 'b'), record(3, 'c')];

  it('is SHA-256 over the previous digest and every frame, in order', () => {
    const range = chainRange(GENESIS, records);
    const expected = createHash('sha256').update(GENESIS);
    for (const r of records) expected.update(frameRecord(r));
    expect(range.digest.equals(expected.digest())).toBe(true);
    expect(range).toMatchObject({ firstOffset: '0', lastOffset: '3', recordCount: 3 });
  });

  it('keeps each record hash, in order', () => {
    const range = chainRange(GENESIS, records);
    expect(range.recordHashes.length).toBe(96);
    const second = createHash('sha256')
      .update(frameRecord(records[1] as LogRecord))
      .digest();
    expect(range.recordHashes.subarray(32, 64).equals(second)).toBe(true);
  });

  it('links each range to the one before it', () => {
    const first = chainRange(GENESIS, records.slice(0, 2));
    const second = chainRange(first.digest, records.slice(2));
    const other = chainRange(GENESIS, records.slice(2));
    expect(second.previousDigest.equals(first.digest)).toBe(true);
    expect(second.digest.equals(other.digest)).toBe(false);
  });

  it('changes when one byte of one record changes', () => {
    const flipped = Buffer.from('b');
    flipped[0] = (flipped[0] as number) ^ 1;
    const changed = [
      records[0] as LogRecord,
      { ...(records[1] as LogRecord), value: flipped },
      records[2] as LogRecord,
    ];
    expect(chainRange(GENESIS, changed).digest.equals(chainRange(GENESIS, records).digest)).toBe(
      false,
    );
  });

  it('refuses records out of offset order, and an empty range', () => {
    const range = startRange(GENESIS);
    range.add(record(5, 'x'));
    expect(() => range.add(record(5, 'y'))).toThrow(RangeError);
    expect(() => startRange(GENESIS).seal()).toThrow(/empty/);
  });
});
