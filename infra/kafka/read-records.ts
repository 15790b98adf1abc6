import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { EventCodec } from '../../schemas/codec.ts';
import type { DomainEvent, LogPosition } from '../../schemas/events.ts';
import { DocstreamError } from '../errors.ts';

/** Events at the given positions of the log, decoded, in the order the positions were given. */
export type ReadEventsAt = (positions: readonly LogPosition[]) => Promise<DomainEvent[]>;

const keyOf = (topic: string, partition: number, offset: string) =>
  `${topic}:${partition}:${offset}`;

/** Each partition to read, from the first offset wanted on it. */
function startsOf(positions: readonly LogPosition[]) {
  const starts = new Map<string, { topic: string; partition: number; offset: bigint }>();
  for (const { topic, partition, offset } of positions) {
    const key = `${topic}:${partition}`;
    const start = starts.get(key);
    if (!start || BigInt(offset) < start.offset) {
      starts.set(key, { topic, partition, offset: BigInt(offset) });
    }
  }
  return [...starts.values()];
}

const unavailable = (message: string, cause?: unknown) =>
  new DocstreamError('unavailable', 'EVENT_LOG_UNAVAILABLE', message, { cause });

/**
 * Reads exactly the records at `positions`: a consumer of its own (no committed offsets) seeks
 * each partition to the first offset wanted and stops once it has them all. A record missing
 * where the index says it is, or a log that does not answer within `timeoutMs`, fails the read.
 */
export function createEventReader(
  kafka: Kafka,
  codec: EventCodec,
  options: { timeoutMs: number },
): ReadEventsAt {
  return async (positions) => {
    if (positions.length === 0) return [];
    const missing = new Set(positions.map((p) => keyOf(p.topic, p.partition, p.offset)));
    const found = new Map<string, Buffer>();
    // A fetch issued before the seeks apply waits for new records; keep that wait short.
    const consumer = kafka.consumer({
      groupId: `docstream-as-of-${randomUUID()}`,
      maxWaitTimeInMs: 100,
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      await consumer.connect();
      const starts = startsOf(positions);
      for (const topic of new Set(starts.map((s) => s.topic))) {
        await consumer.subscribe({ topic, fromBeginning: false });
      }
      const done = new Promise<void>((resolve, reject) => {
        consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
        timer = setTimeout(
          () => reject(unavailable(`the log did not give ${missing.size} records in time`)),
          options.timeoutMs,
        );
        void consumer.run({
          autoCommit: false,
          eachMessage: async ({ topic, partition, message }) => {
            const key = keyOf(topic, partition, message.offset);
            if (!missing.delete(key) || !message.value) return;
            found.set(key, message.value);
            if (missing.size === 0) resolve();
          },
        });
        for (const { topic, partition, offset } of starts) {
          consumer.seek({ topic, partition, offset: offset.toString() });
        }
      });
      await done;
    } catch (error) {
      throw error instanceof DocstreamError
        ? error
        : unavailable('the log could not be read', error);
    } finally {
      clearTimeout(timer);
      await consumer.disconnect().catch(() => undefined);
    }
    return Promise.all(
      positions.map((p) => {
        const value = found.get(keyOf(p.topic, p.partition, p.offset));
        if (!value) throw unavailable('a record the index names is not in the log');
        return codec.decode(value);
      }),
    );
  };
}
