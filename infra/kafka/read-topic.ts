import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import pRetry from 'p-retry';
import { isRetriable } from '../errors.ts';

export interface TopicMessage {
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

export interface PartitionEnd {
  partition: number;
  high: string;
}

/**
 * Where each partition of `topic` that holds anything ends now. Just after a topic is created a
 * broker may not know its leaders yet and ListOffsets answers "not the leader" or "does not host
 * this topic-partition": retriable errors that kafkajs passes on here, so they are tried again.
 */
export async function topicEnds(admin: Admin, topic: string): Promise<PartitionEnd[]> {
  const offsets = await pRetry(() => admin.fetchTopicOffsets(topic), {
    retries: 10,
    minTimeout: 100,
    maxTimeout: 2000,
    shouldRetry: ({ error }) => isRetriable(error),
  });
  return offsets.filter((p) => BigInt(p.high) > BigInt(p.low));
}

/**
 * Resolves once `consumer` has read every partition of `ends` through to its end; rejects if the
 * consumer crashes. Progress is tracked from batch ends, which also count transaction markers
 * the consumer never hands over as messages. Call it before the consumer runs.
 */
export function readThrough(consumer: Consumer, ends: readonly PartitionEnd[]): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const reached = new Map<number, bigint>();
    const check = () => {
      if (ends.every((p) => (reached.get(p.partition) ?? -1n) >= BigInt(p.high) - 1n)) resolve();
    };
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      reached.set(payload.partition, BigInt(payload.lastOffset));
      check();
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
    check();
  });
}

/** Every message on a topic from the beginning up to its current end, read committed. */
export async function readTopic(kafka: Kafka, admin: Admin, topic: string, timeoutMs = 20_000) {
  const ends = await topicEnds(admin, topic);
  const messages: TopicMessage[] = [];
  if (ends.length === 0) return messages;
  const consumer = kafka.consumer({ groupId: `reader-${topic}-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const done = readThrough(consumer, ends);
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const headers = Object.fromEntries(
        Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
      );
      messages.push({
        partition,
        offset: message.offset,
        key: message.key?.toString() ?? null,
        value: message.value,
        headers,
      });
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`read ${messages.length} of ${topic}`)), timeoutMs);
  });
  try {
    await Promise.race([done, timeout]);
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
  return messages;
}
