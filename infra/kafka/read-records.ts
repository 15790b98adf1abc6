import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import type { EventCodec } from '../../schemas/codec.ts';
import type { DomainEvent, LogPosition } from '../../schemas/events.ts';
import { DocstreamError } from '../errors.ts';
import type { Logger } from '../logger.ts';

/** Events at the given positions of the log, decoded, in the order the positions were given. */
export type ReadEventsAt = (positions: readonly LogPosition[]) => Promise<DomainEvent[]>;

/** A reader that stays connected between reads; `stop` lets its consumer go. */
export interface EventReader {
  readEvents: ReadEventsAt;
  stop(): Promise<void>;
}

const unavailable = (message: string, cause?: unknown) =>
  new DocstreamError('unavailable', 'EVENT_LOG_UNAVAILABLE', message, { cause });

const partitionKey = (topic: string, partition: number) => `${topic}:${partition}`;

/** One read in progress: the records it still waits for and what it has found. */
interface Waiter {
  remaining: number;
  readonly found: Map<string, Buffer>;
  resolve(): void;
  reject(error: Error): void;
}

/** A partition's wanted offsets, each with the reads waiting for it. */
type Wanted = Map<bigint, Set<Waiter>>;

/**
 * Reads exactly the records at given positions through one standing consumer: it joins a group of
 * its own once (joining per read cost tens of milliseconds) and keeps every partition paused until
 * a read wants records on it; the partition is then sought back to the first offset wanted (unless
 * the consumer is already before it), read forward until nothing is wanted on it, and paused
 * again. Nothing is committed. A record missing where the index says it is (the partition passed
 * its offset), or a log that does not answer within `timeoutMs`, fails the read.
 */
export function createEventReader(
  kafka: Kafka,
  codec: EventCodec,
  options: { topics: readonly string[]; timeoutMs: number; logger: Logger },
): EventReader {
  const wanted = new Map<string, Wanted>();
  /** The next offset the consumer delivers on each partition it is reading; absent when paused. */
  const next = new Map<string, bigint>();
  const topics = new Set(options.topics);
  let started: Promise<Consumer> | null = null;
  let stopping = false;

  const pause = (consumer: Consumer, topic: string, partition: number) => {
    consumer.pause([{ topic, partitions: [partition] }]);
    next.delete(partitionKey(topic, partition));
  };

  /** Makes the consumer deliver `from` on the partition, seeking back only when it is past it. */
  const readFrom = (consumer: Consumer, topic: string, partition: number, from: bigint) => {
    const key = partitionKey(topic, partition);
    const position = next.get(key);
    if (position !== undefined && position <= from) return;
    consumer.seek({ topic, partition, offset: from.toString() });
    consumer.resume([{ topic, partitions: [partition] }]);
    next.set(key, from);
  };

  /**
   * After a (re)join the group's positions and pauses are not ours: pause everything, then seek
   * every partition still wanted.
   */
  const reseek = (consumer: Consumer) => {
    next.clear();
    consumer.pause([...topics].map((topic) => ({ topic })));
    for (const [key, offsets] of wanted) {
      const [topic, partition] = splitKey(key);
      if (offsets.size === 0) continue;
      readFrom(consumer, topic, partition, min(offsets.keys()));
    }
  };

  const failAll = (error: Error) => {
    for (const offsets of wanted.values()) {
      for (const waiters of offsets.values()) for (const w of waiters) w.reject(error);
    }
    wanted.clear();
    next.clear();
  };

  const deliver = (
    consumer: Consumer,
    topic: string,
    partition: number,
    offset: bigint,
    value: Buffer | null,
  ) => {
    const key = partitionKey(topic, partition);
    next.set(key, offset + 1n);
    const offsets = wanted.get(key);
    if (!offsets) return pause(consumer, topic, partition);
    for (const [at, waiters] of offsets) {
      if (at > offset) continue;
      offsets.delete(at);
      for (const waiter of waiters) {
        if (at < offset || !value) {
          waiter.reject(unavailable('a record the index names is not in the log'));
          continue;
        }
        waiter.found.set(`${key}:${at}`, value);
        if (--waiter.remaining === 0) waiter.resolve();
      }
    }
    if (offsets.size === 0) {
      wanted.delete(key);
      pause(consumer, topic, partition);
    }
  };

  const start = async (): Promise<Consumer> => {
    // A fetch issued while every partition is paused sleeps this long: it bounds a read's wait.
    const consumer = kafka.consumer({
      groupId: `docstream-as-of-${randomUUID()}`,
      maxWaitTimeInMs: 10,
    });
    let joined: () => void = () => undefined;
    let crashed: (error: Error) => void = () => undefined;
    const ready = new Promise<void>((resolve, reject) => {
      joined = resolve;
      crashed = reject;
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      reseek(consumer);
      joined();
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart) return;
      options.logger.warn(
        { err: payload.error },
        'the as-of reader stopped; the next read starts it again',
      );
      started = null;
      const error = unavailable('the log could not be read', payload.error);
      crashed(error);
      failAll(error);
      void consumer.disconnect().catch(() => undefined);
    });
    try {
      await consumer.connect();
      for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: false });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ topic, partition, message }) =>
          deliver(consumer, topic, partition, BigInt(message.offset), message.value),
      });
      await ready;
      return consumer;
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
  };

  const consumerNow = () => {
    if (stopping) throw unavailable('the log reader is stopping');
    if (!started) {
      started = start();
      started.catch(() => {
        started = null;
      });
    }
    return started;
  };
  // Joined ahead of the first read, so no reader waits for it; a failure here is retried by a read.
  void consumerNow().catch((error) =>
    options.logger.warn({ err: error }, 'the as-of reader could not start yet'),
  );

  const readEvents: ReadEventsAt = async (positions) => {
    if (positions.length === 0) return [];
    const unknown = positions.find((p) => !topics.has(p.topic));
    if (unknown) throw unavailable(`the log reader does not read ${unknown.topic}`);
    const mine = new Map<string, { topic: string; partition: number; offsets: Set<bigint> }>();
    for (const { topic, partition, offset } of positions) {
      const key = partitionKey(topic, partition);
      const entry = mine.get(key) ?? { topic, partition, offsets: new Set<bigint>() };
      entry.offsets.add(BigInt(offset));
      mine.set(key, entry);
    }
    const found = new Map<string, Buffer>();
    let settle: Pick<Waiter, 'resolve' | 'reject'> | undefined;
    const done = new Promise<void>((resolve, reject) => {
      settle = { resolve, reject };
    });
    const self: Waiter = {
      remaining: [...mine.values()].reduce((sum, m) => sum + m.offsets.size, 0),
      found,
      ...(settle as Pick<Waiter, 'resolve' | 'reject'>),
    };
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(unavailable(`the log did not give ${self.remaining} records in time`)),
        options.timeoutMs,
      );
    });
    let consumer: Consumer | undefined;
    try {
      consumer = await Promise.race([consumerNow(), late]);
      for (const [key, { topic, partition, offsets }] of mine) {
        const pending = wanted.get(key) ?? new Map<bigint, Set<Waiter>>();
        wanted.set(key, pending);
        for (const offset of offsets) {
          const waiters = pending.get(offset) ?? new Set<Waiter>();
          waiters.add(self);
          pending.set(offset, waiters);
        }
        readFrom(consumer, topic, partition, min(offsets));
      }
      await Promise.race([done, late]);
    } catch (error) {
      throw error instanceof DocstreamError
        ? error
        : unavailable('the log could not be read', error);
    } finally {
      clearTimeout(timer);
      if (consumer) forget(consumer, self, mine);
    }
    return Promise.all(
      positions.map((p) => {
        const value = found.get(`${partitionKey(p.topic, p.partition)}:${BigInt(p.offset)}`);
        if (!value) throw unavailable('a record the index names is not in the log');
        return codec.decode(value);
      }),
    );
  };

  /** A read is over: it waits for nothing more, and a partition no read waits on is paused. */
  const forget = (
    consumer: Consumer,
    waiter: Waiter,
    mine: Map<string, { topic: string; partition: number; offsets: Set<bigint> }>,
  ) => {
    for (const [key, { topic, partition, offsets }] of mine) {
      const pending = wanted.get(key);
      if (!pending) continue;
      for (const offset of offsets) {
        const waiters = pending.get(offset);
        waiters?.delete(waiter);
        if (waiters?.size === 0) pending.delete(offset);
      }
      if (pending.size === 0) {
        wanted.delete(key);
        pause(consumer, topic, partition);
      }
    }
  };

  return {
    readEvents,
    async stop() {
      stopping = true;
      const current = started;
      started = null;
      failAll(unavailable('the log reader is stopping'));
      if (current) await (await current.catch(() => null))?.disconnect().catch(() => undefined);
    },
  };
}

function splitKey(key: string): [string, number] {
  const at = key.lastIndexOf(':');
  return [key.slice(0, at), Number(key.slice(at + 1))];
}

function min(values: Iterable<bigint>): bigint {
  let least: bigint | undefined;
  for (const value of values) if (least === undefined || value < least) least = value;
  if (least === undefined) throw new Error('no offsets');
  return least;
}
