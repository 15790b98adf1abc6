import type { Admin, Kafka } from 'kafkajs';
import { topicEnds } from './read-topic.ts';

export interface ReadRate {
  topics: string[];
  messages: number;
  seconds: number;
  messagesPerSecond: number;
}

/**
 * How fast a bare kafkajs consumer reads `topics` from the beginning to where they end now, read
 * committed, decoding and applying nothing: the floor any fold of the same topics is compared
 * with. The group is deleted afterwards.
 */
export async function measureReadRate(
  kafka: Kafka,
  admin: Admin,
  topics: readonly string[],
  groupId: string,
): Promise<ReadRate> {
  const remaining = new Map<string, bigint>();
  for (const topic of topics) {
    for (const end of await topicEnds(admin, topic)) {
      remaining.set(`${topic}:${end.partition}`, BigInt(end.high) - 1n);
    }
  }
  let messages = 0;
  const consumer = kafka.consumer({ groupId, readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topics: [...topics], fromBeginning: true });
  let started = 0;
  const done = new Promise<void>((resolve, reject) => {
    const check = () => remaining.size === 0 && resolve();
    // Batch ends also count transaction markers, which are never handed over as messages.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const key = `${payload.topic}:${payload.partition}`;
      if (BigInt(payload.lastOffset) >= (remaining.get(key) ?? -1n)) remaining.delete(key);
      check();
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
    check();
  });
  try {
    await consumer.run({
      eachBatch: async ({ batch }) => {
        messages += batch.messages.length;
      },
    });
    // Timed from when the group is joined, as the rebuild's fold is.
    started = performance.now();
    await done;
    const seconds = (performance.now() - started) / 1000;
    return {
      topics: [...topics],
      messages,
      seconds,
      messagesPerSecond: seconds > 0 ? messages / seconds : 0,
    };
  } finally {
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => {});
  }
}
