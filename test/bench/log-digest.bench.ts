// The digest chain's cost:
//   1. hashing alone (frame + SHA-256 + per-record hash), records/s and MB/s, in memory;
//   2. catch-up: N records waiting in the document log, read with a plain kafkajs consumer
//      (read committed) and then digested by the reactor (read, frame, hash, sign, append in a
//      transaction with its offsets), records/s each;
//   3. appends (acks=all, one at a time, as the API writes) with the reactor off, then on.
// Run with the stack up: `npx tsx test/bench/log-digest.bench.ts [records] [appends]`.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { createEventProducer, createKafka } from '../../infra/kafka/client.ts';
import { createEventLog, toKafkaMessage } from '../../infra/kafka/event-log.ts';
import { eventLogTopicConfigs, provisionTopics, topicNames } from '../../infra/kafka/topics.ts';
import { chainRange, GENESIS } from '../../infra/log-digest/chain.ts';
import { fromKafkaMessage, type LogRecord } from '../../infra/log-digest/frame.ts';
import { createLogger } from '../../infra/logger.ts';
import { startLogDigest } from '../../producers/log-digest/reactor.ts';
import {
  createEventCodec,
  createSchemaRegistry,
  registerEventSchemas,
} from '../../schemas/codec.ts';
import { createTestEnvironment } from '../support/environment.ts';
import { documentUploaded } from '../support/events.ts';

const [records = 30_000, appends = 1500] = process.argv.slice(2).map(Number);
const env = await createTestEnvironment({ TOPIC_PARTITIONS: '6', LOG_LEVEL: 'error' });
const logger = createLogger('error');
const topics = topicNames(env.config.topics.prefix);
const kafka = createKafka(env.config, logger);
const admin = kafka.admin();
await admin.connect();
await provisionTopics(admin, eventLogTopicConfigs(env.config.topics, topics));
const registry = createSchemaRegistry(env.config.registry.url, env.config.registry.auth);
const codec = createEventCodec(registry, await registerEventSchemas(registry, topics));
const producer = createEventProducer(kafka);
await producer.connect();
const { privateKey } = generateKeyPairSync('ed25519');
const topic = topics.events.document;
const rate = (n: number, ms: number) => Math.round((n * 1000) / ms);

// A real event's bytes, under fresh keys: what the reactor sees on the document log.
const template = await toKafkaMessage(documentUploaded({}), codec);
const value = template.value as Buffer;
const bytesPerRecord = value.length + 36 + 80;

// 1. hashing alone
const inMemory: LogRecord[] = Array.from({ length: 100_000 }, (_, i) =>
  fromKafkaMessage({
    offset: String(i),
    timestamp: String(Date.now()),
    key: Buffer.from(randomUUID()),
    value,
    headers: template.headers as Record<string, string>,
  }),
);
let t = performance.now();
chainRange(GENESIS, inMemory);
const hashMs = performance.now() - t;
console.log(
  `hashing alone: ${rate(inMemory.length, hashMs)} records/s, ${((inMemory.length * bytesPerRecord) / 1e6 / (hashMs / 1000)).toFixed(1)} MB/s (records of ~${bytesPerRecord} bytes)`,
);

// 2. catch-up
for (let sent = 0; sent < records; sent += 500) {
  const messages = Array.from({ length: Math.min(500, records - sent) }, () => ({
    ...template,
    key: randomUUID(),
  }));
  await producer.send({ topic, acks: -1, messages });
}
const ends = await admin.fetchTopicOffsets(topic);
const endOf = new Map(ends.map((e) => [e.partition, BigInt(e.high)]));

const plain = kafka.consumer({ groupId: `${env.config.topics.prefix}.bench-plain` });
let read = 0;
const allRead = new Promise<void>((resolve) => {
  void plain.connect().then(async () => {
    await plain.subscribe({ topic, fromBeginning: true });
    t = performance.now();
    await plain.run({
      eachBatch: async ({ batch }) => {
        read += batch.messages.length;
        if (read >= records) resolve();
      },
    });
  });
});
await allRead;
const plainMs = performance.now() - t;
await plain.disconnect();
console.log(
  `plain kafkajs consumer: ${records} records in ${(plainMs / 1000).toFixed(2)} s, ${rate(records, plainMs)} records/s`,
);

const groupId = topics.consumerGroup('log-digest');
const digested = async () => {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (offsets?.partitions ?? []).every(
    (p) => BigInt(p.offset) >= (endOf.get(p.partition) ?? 0n),
  );
};
const reactorDeps = {
  kafka,
  admin,
  codec,
  topics,
  logger,
  key: privateKey,
  sources: [topic],
  settings: { everyRecords: 1000, intervalMs: 1000 },
  clock: { now: Date.now, newId: randomUUID },
};
t = performance.now();
let reactor = await startLogDigest(reactorDeps);
const startMs = performance.now() - t;
const deadline = Date.now() + 600_000;
while (!(await digested())) {
  if (Date.now() > deadline) throw new Error('the reactor did not catch up in 10 minutes');
  await new Promise((resolve) => setTimeout(resolve, 100));
}
const digestMs = performance.now() - t;
await reactor.stop();
console.log(
  `log digest reactor: ${records} records in ${(digestMs / 1000).toFixed(2)} s, ${rate(records, digestMs)} records/s (${(startMs / 1000).toFixed(2)} s of it until it had joined its group, then it opens its producer and reads the chain heads; ${Math.ceil(records / 1000)}+ transactions; ${(digestMs / plainMs).toFixed(2)}x the plain consumer's time)`,
);

// 3. appends, reactor off then on
const eventLog = createEventLog(producer, codec, topics);
const appendRate = async () => {
  const started = performance.now();
  for (let i = 0; i < appends; i++) await eventLog.append(documentUploaded({}));
  return rate(appends, performance.now() - started);
};
const off = await appendRate();
// The configured defaults (a digest every 1000 records or 60 s), as a deployment runs it.
const { everyRecords, intervalMs } = env.config.logDigest;
reactor = await startLogDigest({ ...reactorDeps, settings: { everyRecords, intervalMs } });
const on = await appendRate();
await reactor.stop();
console.log(
  `appends (acks=all, one at a time): ${off} events/s without the reactor, ${on} events/s with it digesting them (${((on / off) * 100).toFixed(0)}%; a digest every ${everyRecords} records or ${intervalMs} ms)`,
);

console.log(
  `load average while measuring: ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${os.availableParallelism()} cores`,
);

await producer.disconnect();
await admin.disconnect();
await env.cleanup();
