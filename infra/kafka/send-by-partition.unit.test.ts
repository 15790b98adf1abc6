import { type Message, Partitioners, type TopicMessages } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { sendByPartition } from './send-by-partition.ts';

const PARTITIONS = 6;

/** Records each send call: the topic and the messages it carried. */
function recordingSender() {
  const calls: Array<{ topic: string; messages: Message[] }> = [];
  return {
    calls,
    send: async ({ topic, messages }: { topic: string; messages: Message[] }) => {
      calls.push({ topic, messages });
      return [];
    },
  };
}

describe('sending one partition at a time', () => {
  const keyed: TopicMessages = {
    topic: 'dev.document.events',
    messages: Array.from({ length: 60 }, (_, i) => ({ key: `doc-${i % 20}`, value: `event ${i}` })),
  };

  it('sends every message once, each call to one partition, where kafkajs would put it', async () => {
    const sender = recordingSender();
    await sendByPartition(sender, [keyed], async () => PARTITIONS);

    const kafkajs = Partitioners.DefaultPartitioner();
    const partitionMetadata = Array.from({ length: PARTITIONS }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      replicas: [],
      isr: [],
      partitionErrorCode: 0,
    }));
    const sent = sender.calls.flatMap((c) => c.messages);
    expect(sent.map((m) => m.value).sort()).toEqual(keyed.messages.map((m) => m.value).sort());
    for (const call of sender.calls) {
      expect(new Set(call.messages.map((m) => m.partition)).size).toBe(1);
      for (const message of call.messages) {
        const { partition: _, ...plain } = message;
        expect(message.partition).toBe(
          kafkajs({ topic: call.topic, partitionMetadata, message: plain }),
        );
      }
    }
    expect(sender.calls.length).toBeGreaterThan(1);
  });

  it("keeps each key's messages in their order", async () => {
    const sender = recordingSender();
    await sendByPartition(sender, [keyed], async () => PARTITIONS);
    const sent = sender.calls.flatMap((c) => c.messages);
    for (let key = 0; key < 20; key++) {
      const mine = (list: readonly Message[]) =>
        list.filter((m) => m.key === `doc-${key}`).map((m) => m.value);
      expect(mine(sent)).toEqual(mine(keyed.messages));
    }
  });

  it('takes a partition given with the message, without asking how many there are', async () => {
    const sender = recordingSender();
    const messages = [
      { key: 'tenant-a', value: 'a', partition: 4 },
      { key: 'tenant-b', value: 'b', partition: 1 },
      { key: 'tenant-c', value: 'c', partition: 4 },
    ];
    await sendByPartition(sender, [{ topic: 'dev.by-tenant', messages }], async () => {
      throw new Error('partition counts not needed');
    });
    expect(sender.calls.map((c) => c.messages.map((m) => m.value))).toEqual([['a', 'c'], ['b']]);
  });
});
