// The chain's floor on this broker: the same shape as the processors with no work in it. Five
// consumer groups read one six-partition topic; each skips the records of other types by header
// and answers each record of its own type with the next type, in a transaction that also commits
// its offsets (sendOffsets), a chunk of records per transaction. The documents/s it reaches is
// what Kafka's transactions allow, the ceiling the real chain is compared with.
// Alone: `npx tsx test/bench/kafka-floor.ts [documents] [chunk ...]`.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Admin, Kafka, Producer, Transaction } from 'kafkajs';
import { createEventProducer } from '../../infra/kafka/client.ts';

const STAGES = ['uploaded', 'validated', 'text', 'classified', 'entities', 'matched'] as const;
const PARTITIONS = 6;

export interface FloorResult {
  documents: number;
  chunk: number;
  seconds: number;
  documentsPerSecond: number;
}

/**
 * The broker answers CONCURRENT_TRANSACTIONS while it still completes the previous commit;
 * the transaction is aborted and tried again, as a processor's chunk is.
 */
async function inTransaction(producer: Producer, work: (t: Transaction) => Promise<void>) {
  for (let attempt = 1; ; attempt++) {
    const transaction = await producer.transaction();
    try {
      await work(transaction);
      await transaction.commit();
      return;
    } catch (error) {
      await transaction.abort().catch(() => {});
      if (attempt >= 10) throw error;
    }
  }
}

async function runStage(
  kafka: Kafka,
  topic: string,
  stage: number,
  chunk: number,
): Promise<{ joined: Promise<void>; stop: () => Promise<void> }> {
  const [input, output] = [STAGES[stage], STAGES[stage + 1]] as const;
  const groupId = `${topic}-${output}`;
  const consumer = kafka.consumer({ groupId, maxBytesPerPartition: 4 << 20 });
  const producer: Producer = createEventProducer(kafka, {
    transactionalId: `${groupId}-${randomUUID()}`,
  });
  await Promise.all([consumer.connect(), producer.connect()]);
  await consumer.subscribe({ topic, fromBeginning: true });
  const joined = new Promise<void>((resolve) =>
    consumer.on(consumer.events.GROUP_JOIN, () => resolve()),
  );
  await consumer.run({
    eachBatchAutoResolve: false,
    autoCommit: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      for (let from = 0; from < batch.messages.length; from += chunk) {
        const messages = batch.messages.slice(from, from + chunk);
        const mine = messages.filter((m) => m.headers?.type?.toString() === input);
        const last = messages.at(-1)!;
        const next = (BigInt(last.offset) + 1n).toString();
        await inTransaction(producer, async (transaction) => {
          if (mine.length > 0) {
            await transaction.send({
              topic,
              messages: mine.map((m) => ({
                key: m.key,
                value: m.value,
                headers: { type: output },
              })),
            });
          }
          await transaction.sendOffsets({
            consumerGroupId: groupId,
            topics: [{ topic, partitions: [{ partition: batch.partition, offset: next }] }],
          });
        });
        resolveOffset(last.offset);
        await heartbeat();
      }
    },
  });
  return {
    joined,
    stop: async () => {
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}

async function countOf(kafka: Kafka, topic: string, type: string, until: number): Promise<void> {
  const consumer = kafka.consumer({ groupId: `${topic}-count-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        if (message.headers?.type?.toString() === type && ++seen >= until) resolve();
      },
    });
  });
  await consumer.disconnect();
}

/** Documents/s through five transactional stages with no work, `chunk` records per transaction. */
export async function measureKafkaFloor(
  kafka: Kafka,
  admin: Admin,
  documents: number,
  chunk: number,
): Promise<FloorResult> {
  const topic = `bench-floor-${randomUUID().slice(0, 8)}`;
  await admin.createTopics({
    topics: [{ topic, numPartitions: PARTITIONS }],
    waitForLeaders: true,
  });
  // The groups join before the clock starts: the chain bench, too, times from processors started.
  const done = countOf(kafka, topic, STAGES.at(-1)!, documents);
  const stages = await Promise.all(
    Array.from({ length: STAGES.length - 1 }, (_, stage) => runStage(kafka, topic, stage, chunk)),
  );
  await Promise.all(stages.map((stage) => stage.joined));
  const startedAt = performance.now();
  const seed = createEventProducer(kafka);
  await seed.connect();
  for (let sent = 0; sent < documents; sent += 1000) {
    const count = Math.min(1000, documents - sent);
    await seed.send({
      topic,
      messages: Array.from({ length: count }, (_, i) => ({
        key: `document-${sent + i}`,
        value: Buffer.alloc(512, 1),
        headers: { type: STAGES[0] },
      })),
    });
  }
  await seed.disconnect();
  await done;
  const seconds = (performance.now() - startedAt) / 1000;
  await Promise.all(stages.map((stage) => stage.stop()));
  await admin.deleteTopics({ topics: [topic] });
  return { documents, chunk, seconds, documentsPerSecond: documents / seconds };
}

export const formatFloor = (floor: FloorResult) =>
  `kafka floor: ${floor.documents} documents through 5 transactional stages, ${floor.chunk} records per transaction, ${floor.seconds.toFixed(1)} s = ${floor.documentsPerSecond.toFixed(1)} documents/s`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const { loadConfig } = await import('../../infra/config.ts');
  const { createKafka } = await import('../../infra/kafka/client.ts');
  const { createLogger } = await import('../../infra/logger.ts');
  const [documents = 2000, ...chunks] = process.argv.slice(2).map(Number);
  const kafka = createKafka(loadConfig(), createLogger('silent'));
  const admin = kafka.admin();
  await admin.connect();
  for (const chunk of chunks.length > 0 ? chunks : [16, 64, 256]) {
    console.log(formatFloor(await measureKafkaFloor(kafka, admin, documents, chunk)));
  }
  await admin.disconnect();
}
