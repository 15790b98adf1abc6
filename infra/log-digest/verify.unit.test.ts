import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chainRange, GENESIS } from './chain.ts';
import type { LogRecord } from './frame.ts';
import { checkLog } from './log-check.ts';
import { signDigest } from './signing.ts';
import type { SignedDigest } from './verify.ts';

const TOPIC = 'docstream.document.events';
const { privateKey, publicKey } = generateKeyPairSync('ed25519');

const record = (offset: number): LogRecord => ({
  offset: String(offset),
  timestamp: String(1_700_000_000_000 + offset),
  key: Buffer.from(`doc-${offset % 3}`),
  value: Buffer.from(`value ${offset}`),
  headers: [['event-type', Buffer.from('DocumentUploaded')]],
});

/** Given records (offsets may gap, as transaction markers make them), digests every `size`. */
function digestsOf(records: readonly LogRecord[], size: number, key: KeyObject = privateKey) {
  const digests: SignedDigest[] = [];
  let previous = GENESIS;
  for (let i = 0; i + size <= records.length; i += size) {
    const range = chainRange(previous, records.slice(i, i + size));
    digests.push(signDigest({ topic: TOPIC, partition: 0, ...range }, key));
    previous = range.digest;
  }
  return digests;
}

function verify(records: readonly LogRecord[], digests: readonly SignedDigest[], key = publicKey) {
  const check = checkLog(digests, key);
  for (const r of records) check.add(TOPIC, 0, r);
  const [report] = check.finish();
  return report;
}

// Offsets 0..11 with the gaps transaction markers leave.
const records = [0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14].map(record);

describe('verifying a partition against its digests', () => {
  it('verifies every digested range and reports the rest as not yet covered', () => {
    const report = verify(records, digestsOf(records.slice(0, 10), 5));
    expect(report?.failure).toBeNull();
    expect(report?.verified).toEqual({
      firstOffset: '0',
      lastOffset: '12',
      records: 10,
      digests: 2,
    });
    expect(report?.uncovered).toEqual({ firstOffset: '13', lastOffset: '14', records: 2 });
  });

  it('names the record whose value has one byte flipped', () => {
    const digests = digestsOf(records, 4);
    const tampered = records.map((r) => ({ ...r }));
    const value = Buffer.from(tampered[6]?.value as Buffer);
    value[2] = (value[2] as number) ^ 0x01;
    tampered[6] = { ...(tampered[6] as LogRecord), value };
    const report = verify(tampered, digests);
    expect(report?.failure).toMatchObject({ topic: TOPIC, partition: 0, offset: '8' });
    expect(report?.verified?.lastOffset).toBe('4');
  });

  it('names where a record is missing', () => {
    const digests = digestsOf(records, 4);
    const report = verify(
      records.filter((r) => r.offset !== '9'),
      digests,
    );
    expect(report?.failure?.offset).toBe('10');
  });

  it('fails a digest whose signature is not the published key', () => {
    const other = generateKeyPairSync('ed25519');
    const report = verify(records, digestsOf(records, 4, other.privateKey));
    expect(report?.failure).toMatchObject({
      offset: null,
      range: { firstOffset: '0', lastOffset: '4' },
    });
    expect(report?.failure?.reason).toMatch(/signature/);
  });

  it('fails a digest whose signed fields were altered', () => {
    const digests = digestsOf(records, 4);
    const forged = { ...(digests[1] as SignedDigest), recordCount: 3 };
    const report = verify(records, [
      digests[0] as SignedDigest,
      forged,
      digests[2] as SignedDigest,
    ]);
    expect(report?.failure?.range).toEqual({ firstOffset: '5', lastOffset: '9' });
    expect(report?.failure?.reason).toMatch(/signature/);
  });

  it('fails when a digest of the chain is left out', () => {
    const digests = digestsOf(records, 4);
    const report = verify(records, [digests[0] as SignedDigest, digests[2] as SignedDigest]);
    expect(report?.failure?.reason).toMatch(/does not chain/);
  });

  it('fails when records the digests cover are gone', () => {
    const report = verify(records.slice(0, 6), digestsOf(records, 4));
    expect(report?.failure?.reason).toMatch(/records missing/);
  });
});
