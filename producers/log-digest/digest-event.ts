import type { KeyObject } from 'node:crypto';
import type { ChainedRange } from '../../infra/log-digest/chain.ts';
import { signDigest } from '../../infra/log-digest/signing.ts';
import type { SignedDigest } from '../../infra/log-digest/verify.ts';
import type { LogDigest } from '../../schemas/events.ts';

export const LOG_DIGEST_ACTOR = 'log-digest@1';

/** The key of a partition's digests on the digest log: all of them on one partition, in order. */
export const chainKey = (topic: string, partition: number) => `${topic}:${partition}`;

/** A sealed range, signed, as the LogDigest event that records it. Digests belong to no tenant. */
export function digestEvent(
  source: { topic: string; partition: number },
  range: ChainedRange,
  key: KeyObject,
  clock: { now(): number; newId(): string },
): LogDigest {
  const signed = signDigest({ ...source, ...range }, key);
  const aggregateId = chainKey(source.topic, source.partition);
  return {
    type: 'LogDigest',
    metadata: {
      eventId: clock.newId(),
      occurredAt: clock.now(),
      tenantId: '',
      aggregateId,
      correlationId: aggregateId,
      causationId: null,
      actor: LOG_DIGEST_ACTOR,
    },
    data: {
      ...signed,
      firstOffset: Number(signed.firstOffset),
      lastOffset: Number(signed.lastOffset),
    },
  };
}

/** The signed fields of a LogDigest event, offsets as decimal strings. */
export function signedDigestOf(event: LogDigest): SignedDigest {
  const { data } = event;
  return {
    ...data,
    firstOffset: String(data.firstOffset),
    lastOffset: String(data.lastOffset),
  };
}
