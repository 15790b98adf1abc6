import { KafkaJSNonRetriableError, KafkaJSProtocolError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { isFenced, transactionalIdOf } from './partition-producers.ts';

const protocolError = (type: string, code: number) =>
  new KafkaJSProtocolError(Object.assign(new Error(type), { type, code, retriable: false }));

describe('isFenced', () => {
  it('recognises an old epoch, bare or wrapped by kafkajs retries', () => {
    const epoch = protocolError('INVALID_PRODUCER_EPOCH', 47);
    expect(isFenced(epoch)).toBe(true);
    // kafkajs' retrier gives up on a non-retriable error by wrapping it, the original as cause.
    const wrapped = new KafkaJSNonRetriableError(epoch);
    Object.assign(wrapped, { cause: epoch });
    expect(isFenced(wrapped)).toBe(true);
  });

  it('does not take other failures for a lost partition', () => {
    expect(isFenced(protocolError('CONCURRENT_TRANSACTIONS', 51))).toBe(false);
    expect(isFenced(new Error('connection closed'))).toBe(false);
    expect(isFenced(undefined)).toBe(false);
  });
});

describe('transactionalIdOf', () => {
  it('names the input partition, not the process, so its next owner fences the last', () => {
    expect(transactionalIdOf('dev.validate', { topic: 'dev.documents', partition: 4 })).toBe(
      'dev.validate.dev.documents.4',
    );
  });
});
