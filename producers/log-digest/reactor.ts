import type { KeyObject } from 'node:crypto';
import type { Admin, Consumer, Kafka, KafkaMessage, PartitionAssigner, Producer } from 'kafkajs';
import { createEventProducer } from '../../infra/kafka/client.ts';
import { toKafkaMessage } from '../../infra/kafka/event-log.ts';
import { partitionCounts, sendByPartition } from '../../infra/kafka/send-by-partition.ts';
import type { TopicNames } from '../../infra/kafka/topics.ts';
import {
  type ChainedRange,
  GENESIS,
  type RangeHasher,
  startRange,
} from '../../infra/log-digest/chain.ts';
import { fromKafkaMessage } from '../../infra/log-digest/frame.ts';
import type { Logger } from '../../infra/logger.ts';
import type { EventCodec } from '../../schemas/codec.ts';
import { chainKey, digestEvent } from './digest-event.ts';
import { type ChainHead, chainHeads, readDigests } from './digest-log.ts';

export const LOG_DIGEST_CONSUMER = 'log-digest';

export interface LogDigestDeps {
  kafka: Kafka;
  admin: Admin;
  codec: EventCodec;
  topics: TopicNames;
  logger: Logger;
  key: KeyObject;
  /** Every topic whose partitions get a chain; never the digest log itself. */
  sources: readonly string[];
  settings: { everyRecords: number; intervalMs: number };
  clock: { now(): number; newId(): string };
  /** How the group spreads partitions; one member taking them all keeps the others standing by. */
  partitionAssigners?: PartitionAssigner[];
}

export interface RunningLogDigest {
  /** Another reactor has started with the same transactional id: this one has stopped. */
  readonly fenced: boolean;
  stop(): Promise<void>;
}

/** kafkajs' names for a transactional producer another one with its id has replaced. */
const FENCED = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED']);

interface Pending {
  topic: string;
  partition: number;
  range: RangeHasher;
  since: number;
}

/**
 * Keeps the digest chain of every partition of `sources`. Whenever the group hands it partitions,
 * it first opens its transactional producer (fencing any earlier reactor) and then reads the chain
 * heads back from the digest log, so no range is skipped or covered twice. Each LogDigest is
 * written in one transaction with the consumer group's offset after its range, so a restart
 * resumes exactly where the chain stops.
 */
export async function startLogDigest(deps: LogDigestDeps): Promise<RunningLogDigest> {
  const { kafka, topics, settings, clock } = deps;
  const log = deps.logger.child({ component: LOG_DIGEST_CONSUMER });
  const groupId = topics.consumerGroup(LOG_DIGEST_CONSUMER);
  const producer: Producer = createEventProducer(kafka, { transactionalId: groupId });
  const partitions = partitionCounts(deps.admin);
  let connected = false;
  let heads = new Map<string, ChainHead>();
  /** Heads as the digest log holds them, read once this reactor is the only one that writes. */
  let current = false;
  const pending = new Map<string, Pending>();
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work);
    queue = run.catch(() => {});
    return run;
  };

  let consumer: Consumer | null = null;
  let fenced = false;

  /** Puts a partition back to the record after its chain head, dropping what was pending. */
  const rewind = (p: Pending) => {
    const head = heads.get(chainKey(p.topic, p.partition));
    const offset = String((head?.lastOffset ?? -1n) + 1n);
    consumer?.seek({ topic: p.topic, partition: p.partition, offset });
  };

  const append = async (sealed: { p: Pending; range: ChainedRange }[]) => {
    const transaction = await producer.transaction();
    try {
      const messages = await Promise.all(
        sealed.map(({ p, range }) =>
          toKafkaMessage(digestEvent(p, range, deps.key, clock), deps.codec),
        ),
      );
      await sendByPartition(transaction, [{ topic: topics.events.digest, messages }], partitions);
      await transaction.sendOffsets({
        consumerGroupId: groupId,
        topics: sealed.map(({ p, range }) => ({
          topic: p.topic,
          partitions: [{ partition: p.partition, offset: String(BigInt(range.lastOffset) + 1n) }],
        })),
      });
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => {});
      throw error;
    }
  };

  /** Seals, signs and appends the ranges of `keys`; on failure they are read again. */
  const sealAndAppend = async (keys: readonly string[]) => {
    const due = keys.flatMap((k) => pending.get(k) ?? []);
    if (due.length === 0 || fenced) return;
    for (const p of due) pending.delete(chainKey(p.topic, p.partition));
    const sealed = due.map((p) => ({ p, range: p.range.seal() }));
    try {
      await append(sealed);
    } catch (error) {
      if (FENCED.has((error as { type?: string }).type ?? '')) {
        fenced = true;
        log.error('another log digest reactor has started: this one stops');
        // Not awaited: the batch that flushed ends first, and the group hands its partitions over.
        void consumer?.disconnect();
        return;
      }
      log.warn({ err: error, ranges: sealed.length }, 'log digest not appended, reading again');
      for (const { p } of sealed) rewind(p);
      // The commit may have landed though its answer was lost: the heads are read back first.
      current = false;
      return;
    }
    for (const { p, range } of sealed) {
      const key = chainKey(p.topic, p.partition);
      heads.set(key, { lastOffset: BigInt(range.lastOffset), digest: range.digest });
    }
    log.debug({ ranges: sealed.length }, 'log digests appended');
  };
  const flush = (keys: readonly string[]) => exclusive(() => sealAndAppend(keys));

  const take = (topic: string, partition: number, message: KafkaMessage) => {
    const key = chainKey(topic, partition);
    const head = heads.get(key);
    // Read again after a restart or a rebalance: already in the chain.
    if (head && BigInt(message.offset) <= head.lastOffset) return null;
    let p = pending.get(key);
    if (!p) {
      p = { topic, partition, range: startRange(head?.digest ?? GENESIS), since: clock.now() };
      pending.set(key, p);
    }
    p.range.add(fromKafkaMessage(message));
    return p.range.recordCount >= settings.everyRecords ? key : null;
  };

  const catchUp = async () => {
    if (current) return;
    if (!connected) await producer.connect();
    connected = true;
    heads = chainHeads(await readDigests(kafka, deps.admin, deps.codec, topics.events.digest));
    current = true;
    log.info({ chains: heads.size }, 'log digest chains read back');
  };

  consumer = kafka.consumer({
    groupId,
    readUncommitted: false,
    ...(deps.partitionAssigners ? { partitionAssigners: deps.partitionAssigners } : {}),
  });
  await consumer.connect();
  // A rebalance hands partitions over from their committed offsets: what was pending is read
  // again, onto heads read again.
  consumer.on(
    consumer.events.GROUP_JOIN,
    () =>
      void exclusive(async () => {
        pending.clear();
        current = false;
      }),
  );
  consumer.on(consumer.events.CRASH, ({ payload }) =>
    log.error({ err: payload.error }, 'log digest consumer crashed'),
  );
  await consumer.subscribe({ topics: [...deps.sources], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch, heartbeat, isRunning, isStale }) => {
      // One turn for the whole batch: the timer's flushes wait between batches.
      await exclusive(async () => {
        await catchUp();
        for (const message of batch.messages) {
          // Stale: rewound after a failed append; the rest of the batch comes again.
          if (!isRunning() || isStale() || fenced) return;
          const full = take(batch.topic, batch.partition, message);
          if (full) await sealAndAppend([full]);
        }
      });
      await heartbeat();
    },
  });

  const tick = Math.max(20, Math.min(1000, Math.floor(settings.intervalMs / 2)));
  const timer = setInterval(() => {
    const now = clock.now();
    const due = [...pending.entries()].filter(([, p]) => now - p.since >= settings.intervalMs);
    if (due.length === 0) return;
    void flush(due.map(([k]) => k));
  }, tick);
  log.info({ groupId, sources: deps.sources.length }, 'log digest started');

  return {
    get fenced() {
      return fenced;
    },
    async stop() {
      clearInterval(timer);
      await consumer?.disconnect();
      await queue;
      if (connected) await producer.disconnect();
    },
  };
}
