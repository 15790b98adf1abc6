import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chainRange, GENESIS } from '../../infra/log-digest/chain.ts';
import { signatureHolds } from '../../infra/log-digest/signing.ts';
import { digestEvent, LOG_DIGEST_ACTOR, signedDigestOf } from './digest-event.ts';
import { chainHeads } from './digest-log.ts';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const clock = { now: () => 1_700_000_000_000, newId: () => '00000000-0000-4000-8000-000000000001' };
const record = (offset: number) => ({
  offset: String(offset),
  timestamp: '1700000000000',
  key: Buffer.from('k'),
  value: Buffer.from(`v${offset}`),
  headers: [],
});
const source = { topic: 'docstream.document.events', partition: 4 };

describe('a sealed range as a LogDigest event', () => {
  it('is keyed by topic and partition, belongs to no tenant, and is signed', () => {
    const range = chainRange(GENESIS, [record(3), record(5)]);
    const event = digestEvent(source, range, privateKey, clock);
    expect(event.metadata).toMatchObject({
      aggregateId: 'docstream.document.events:4',
      tenantId: '',
      actor: LOG_DIGEST_ACTOR,
      occurredAt: 1_700_000_000_000,
    });
    expect(event.data).toMatchObject({ firstOffset: 3, lastOffset: 5, recordCount: 2 });
    const signed = signedDigestOf(event);
    expect(signed.firstOffset).toBe('3');
    expect(signatureHolds(signed, publicKey)).toBe(true);
    expect(signatureHolds({ ...signed, lastOffset: '6' }, publicKey)).toBe(false);
  });
});

describe('the heads of the chains read back from the digest log', () => {
  it('are the last digest of each partition', () => {
    const first = chainRange(GENESIS, [record(0), record(1)]);
    const second = chainRange(first.digest, [record(2)]);
    const other = chainRange(GENESIS, [record(0)]);
    const digests = [
      signedDigestOf(digestEvent(source, first, privateKey, clock)),
      signedDigestOf(digestEvent({ ...source, partition: 5 }, other, privateKey, clock)),
      signedDigestOf(digestEvent(source, second, privateKey, clock)),
    ];
    const heads = chainHeads(digests);
    expect(heads.get('docstream.document.events:4')).toEqual({
      lastOffset: 2n,
      digest: second.digest,
    });
    expect(heads.get('docstream.document.events:5')).toEqual({
      lastOffset: 0n,
      digest: other.digest,
    });
    expect(heads.size).toBe(2);
  });
});
