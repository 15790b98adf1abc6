import type { Admin, Kafka } from 'kafkajs';
import { readTopic } from '../../infra/kafka/read-topic.ts';
import type { SignedDigest } from '../../infra/log-digest/verify.ts';
import type { EventCodec } from '../../schemas/codec.ts';
import { chainKey, signedDigestOf } from './digest-event.ts';

/** Every digest on the digest log (read committed), in the order each chain was written. */
export async function readDigests(
  kafka: Kafka,
  admin: Admin,
  codec: EventCodec,
  digestTopic: string,
  timeoutMs = 60_000,
): Promise<SignedDigest[]> {
  const digests: SignedDigest[] = [];
  for (const message of await readTopic(kafka, admin, digestTopic, timeoutMs)) {
    if (!message.value) continue;
    const event = await codec.decode(message.value);
    if (event.type === 'LogDigest') digests.push(signedDigestOf(event));
  }
  return digests;
}

export interface ChainHead {
  lastOffset: bigint;
  digest: Buffer;
}

/** The last digest of each partition's chain, by `<topic>:<partition>`. */
export function chainHeads(digests: readonly SignedDigest[]): Map<string, ChainHead> {
  const heads = new Map<string, ChainHead>();
  for (const d of digests) {
    const key = chainKey(d.topic, d.partition);
    const lastOffset = BigInt(d.lastOffset);
    const head = heads.get(key);
    if (!head || lastOffset > head.lastOffset) heads.set(key, { lastOffset, digest: d.digest });
  }
  return heads;
}
