// Text-layer documents through every processor (validate, extract-text, classify, and beside
// classify extract-entities and match-patient), the processors in a process of their own as
// `npm run processors` runs them:
//   1. throughput: N documents waiting in the log when the processors start, documents per second
//      until the last is classified and has its patient decision;
//   2. latency at a steady rate: p50/p95 from DocumentUploaded to DocumentClassified and to the
//      patient decision, taken from the events' occurredAt (one clock: all runs on this machine).
//   3. the floor (./kafka-floor.ts) on the same broker and the ratio of the chain to it.
// Run with the stack up: `npx tsx test/bench/chain.bench.ts [documents] [rate/s] [seconds]`.
import { performance } from 'node:perf_hooks';
import { createKafka } from '../../infra/kafka/client.ts';
import { readTopic } from '../../infra/kafka/read-topic.ts';
import { topicNames } from '../../infra/kafka/topics.ts';
import { createLogger } from '../../infra/logger.ts';
import { createPool } from '../../infra/postgres.ts';
import { TERMINAL_STATUSES } from '../../projections/documents/projection.ts';
import {
  createEventCodec,
  createSchemaRegistry,
  registerEventSchemas,
} from '../../schemas/codec.ts';
import { startSystem } from '../../system/system.ts';
import { generateCorpus } from '../fixtures/corpus.ts';
import { textPdf } from '../fixtures/files.ts';
import { apiClient } from '../support/api-client.ts';
import { issueKey } from '../support/credentials.ts';
import { createTestEnvironment, eventually } from '../support/environment.ts';
import { spawnProcessors } from '../support/processes.ts';
import { formatFloor, measureKafkaFloor } from './kafka-floor.ts';

const [documents = 200, rate = 10, seconds = 30] = process.argv.slice(2).map(Number);
const env = await createTestEnvironment({ TOPIC_PARTITIONS: '6', LOG_LEVEL: 'error' });
const system = await startSystem(
  { ...env.config, processors: { ...env.config.processors, run: [] } },
  createLogger('error'),
);
const { key } = await issueKey(env.config.database.url, 'bench');
const api = apiClient(system.url as string, 'bench', key);
const corpus = generateCorpus({ seed: 99, perTypeAndLanguage: 3 });
let serial = 0;
const nextPdf = () => {
  const doc = corpus[serial % corpus.length]!;
  return textPdf([...doc.lines.slice(0, 40), `ref ${serial++}`]);
};

const topics = topicNames(env.config.topics.prefix);
const kafka = createKafka(env.config, createLogger('silent'));
const admin = kafka.admin();
await admin.connect();
const registry = createSchemaRegistry(env.config.registry.url, env.config.registry.auth);
const codec = createEventCodec(registry, await registerEventSchemas(registry, topics));

const pool = createPool(env.config.database.url, 1);
/** Documents done: classified and given a patient decision, or stopped by the chain. */
async function terminalCount(): Promise<number> {
  const { rows } = await pool.query(
    `SELECT count(*)::int AS n FROM documents
     WHERE (status = 'classified' AND match_status IS NOT NULL) OR status = ANY($1)`,
    [TERMINAL_STATUSES.filter((status) => status !== 'classified')],
  );
  return rows[0].n;
}

async function uploadAll(count: number, concurrency: number) {
  const files = await Promise.all(Array.from({ length: count }, nextPdf));
  let i = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (i < files.length) await api.upload(files[i++]!, `bench-${i}.pdf`);
    }),
  );
}

/** Transactions committed in this run's database so far (each statement outside one counts). */
async function commits(): Promise<number> {
  const { rows } = await pool.query(
    'SELECT xact_commit::bigint AS n FROM pg_stat_database WHERE datname = current_database()',
  );
  return Number(rows[0].n);
}

await uploadAll(documents, 8);
const processors = await spawnProcessors(env.env);
await processors.started;
const commitsBefore = await commits();
const startedAt = performance.now();
await eventually(async () => {
  if ((await terminalCount()) < documents) throw new Error('still processing');
}, 600_000);
const throughputSeconds = (performance.now() - startedAt) / 1000;
const commitsPerDocument = ((await commits()) - commitsBefore) / documents;

const steadyFrom = Date.now();
const total = rate * seconds;
for (let sent = 0; sent < total; sent++) {
  const due = steadyFrom + (sent * 1000) / rate;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
  void api.upload(await nextPdf(), `steady-${sent}.pdf`);
}
await eventually(async () => {
  if ((await terminalCount()) < documents + total) throw new Error('still processing');
}, 600_000);

const uploadedAt = new Map<string, number>();
const toClassified: number[] = [];
const toDecision: number[] = [];
for (const m of await readTopic(kafka, admin, topics.events.document, 120_000)) {
  const event = await codec.decode(m.value as Buffer);
  if (event.metadata.occurredAt < steadyFrom) continue;
  const from = uploadedAt.get(event.metadata.aggregateId);
  if (event.type === 'DocumentUploaded') {
    uploadedAt.set(event.metadata.aggregateId, event.metadata.occurredAt);
  } else if (from === undefined) {
  } else if (event.type === 'DocumentClassified') {
    toClassified.push(event.metadata.occurredAt - from);
  } else if (event.type === 'PatientMatched' || event.type === 'PatientMatchReviewRequired') {
    toDecision.push(event.metadata.occurredAt - from);
  }
}
const percentiles = (latencies: number[]) => {
  const sorted = [...latencies].sort((a, b) => a - b);
  const pct = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  return `p50 ${pct(50)} ms, p95 ${pct(95)} ms, p99 ${pct(99)} ms, max ${sorted.at(-1)} ms`;
};

console.log(
  `throughput: ${documents} text-layer documents waiting in the log, classified and matched in ${throughputSeconds.toFixed(1)} s = ${(documents / throughputSeconds).toFixed(1)} documents/s`,
);
console.log(
  `  PostgreSQL transactions committed meanwhile (read models, polling included): ${commitsPerDocument.toFixed(1)} per document`,
);
console.log(
  `latency at ${rate} documents/s for ${seconds} s (${toClassified.length} documents)\n` +
    `  upload to classified:       ${percentiles(toClassified)}\n` +
    `  upload to patient decision: ${percentiles(toDecision)}`,
);

processors.child.kill('SIGTERM');
await processors.exited;

// The floor on the same broker in the same run, with the processors stopped.
const chainRate = documents / throughputSeconds;
for (const chunk of [16, 64, 256]) {
  const floor = await measureKafkaFloor(kafka, admin, documents, chunk);
  console.log(
    `${formatFloor(floor)}; chain/floor ${(chainRate / floor.documentsPerSecond).toFixed(3)}`,
  );
}
await admin.disconnect();
await pool.end();
await system.stop();
await env.cleanup();
