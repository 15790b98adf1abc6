import type { Producer, ProducerBatch, ProducerRecord, RecordMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { idempotentSends } from './client.ts';

/** kafkajs producers whose calls stay open until the test settles them, in the order they came. */
function heldProducers() {
  const calls: { what: string; settle: (error?: Error) => void }[] = [];
  const lifecycle: string[] = [];
  let opened = 0;
  const open = () => {
    const id = ++opened;
    const hold = (what: string) =>
      new Promise<RecordMetadata[]>((resolve, reject) => {
        calls.push({
          what: `${what} by producer ${id}`,
          settle: (error) => (error ? reject(error) : resolve([])),
        });
      });
    return {
      send: (record: ProducerRecord) => hold(`send ${record.topic}`),
      sendBatch: (batch: ProducerBatch) => hold(`batch ${batch.topicMessages?.[0]?.topic}`),
      connect: async () => void lifecycle.push(`connect ${id}`),
      disconnect: async () => void lifecycle.push(`disconnect ${id}`),
    } as unknown as Producer;
  };
  return { open, calls, lifecycle, whats: () => calls.map((c) => c.what) };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('sends of a producer without a transaction', () => {
  it('go to kafkajs one at a time: the next waits until the one before has settled', async () => {
    const held = heldProducers();
    const producer = idempotentSends(held.open);
    await producer.connect();

    const first = producer.send({ topic: 'a', messages: [{ value: '1' }] });
    const second = producer.sendBatch({ topicMessages: [{ topic: 'b', messages: [] }] });
    await settled();
    expect(held.whats()).toEqual(['send a by producer 1']);

    held.calls[0]?.settle();
    await first;
    await settled();
    expect(held.whats()).toEqual(['send a by producer 1', 'batch b by producer 1']);
    held.calls[1]?.settle();
    await second;
  });

  it('go through a new kafkajs producer after one failed, whose outcome nobody knows', async () => {
    const held = heldProducers();
    const producer = idempotentSends(held.open);
    await producer.connect();

    const failed = producer.send({ topic: 'a', messages: [{ value: '1' }] });
    const next = producer.send({ topic: 'a', messages: [{ value: '2' }] });
    await settled();
    held.calls[0]?.settle(new Error('Closed connection'));
    await expect(failed).rejects.toThrow('Closed connection');
    await settled();

    expect(held.whats()).toEqual(['send a by producer 1', 'send a by producer 2']);
    expect(held.lifecycle).toEqual(['connect 1', 'disconnect 1', 'connect 2']);
    held.calls[1]?.settle();
    await next;

    const after = producer.send({ topic: 'a', messages: [{ value: '3' }] });
    await settled();
    expect(held.whats().at(-1)).toBe('send a by producer 2');
    held.calls[2]?.settle();
    await after;
  });
});
