import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { topicEnds } from '../kafka/read-topic.ts';
import { fromKafkaMessage, type LogRecord } from './frame.ts';

export interface PartitionEnd {
  topic: string;
  partition: number;
  /** The offset after the last record when reading began. */
  high: string;
}

export type RecordSink = (
  topic: string,
  partition: number,
  record: LogRecord,
) => void | Promise<void>;

/**
 * Reads every committed record of `topics` up to where each partition ended when reading began,
 * each partition in offset order, through one consumer of a group of its own (deleted after).
 */
export async function readLog(
  kafka: Kafka,
  admin: Admin,
  topics: readonly string[],
  sink: RecordSink,
  timeoutMs = 300_000,
): Promise<PartitionEnd[]> {
  const ends: PartitionEnd[] = [];
  for (const topic of topics) {
    for (const end of await topicEnds(admin, topic)) ends.push({ topic, ...end });
  }
  if (ends.length === 0) return ends;
  const high = new Map(ends.map((e) => [`${e.topic}:${e.partition}`, BigInt(e.high)]));
  const reached = new Map<string, bigint>();
  const groupId = `log-reader-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, readUncommitted: false });
  const done = new Promise<void>((resolve, reject) => {
    // Batch ends count transaction markers too, which are never handed over as messages.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      reached.set(`${payload.topic}:${payload.partition}`, BigInt(payload.lastOffset));
      if (
        ends.every((e) => (reached.get(`${e.topic}:${e.partition}`) ?? -1n) >= BigInt(e.high) - 1n)
      ) {
        resolve();
      }
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [...new Set(ends.map((e) => e.topic))], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const limit = high.get(`${topic}:${partition}`);
      if (limit === undefined || BigInt(message.offset) >= limit) return;
      await sink(topic, partition, fromKafkaMessage(message));
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the log was not read through in time')), timeoutMs);
  });
  try {
    await Promise.race([done, timeout]);
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => {});
  }
  return ends;
}
