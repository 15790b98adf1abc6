// As-of reads beside live reads of the same document and patient, in one run: N sequential
// requests each, one connection. The live read is one PostgreSQL row; the as-of read looks up the
// positions of the aggregate's events, fetches exactly those records from the log and folds them.
// Run with the stack up: `npx tsx test/bench/as-of.bench.ts [requests]`.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createEventProducer, createKafka } from '../../infra/kafka/client.ts';
import { createEventLog } from '../../infra/kafka/event-log.ts';
import { topicNames } from '../../infra/kafka/topics.ts';
import { createLogger } from '../../infra/logger.ts';
import {
  createEventCodec,
  createSchemaRegistry,
  registerEventSchemas,
} from '../../schemas/codec.ts';
import type { DomainEvent } from '../../schemas/events.ts';
import { startSystem } from '../../system/system.ts';
import { bearer, issueKey } from '../support/credentials.ts';
import { createTestEnvironment, eventually } from '../support/environment.ts';
import {
  chainOf,
  documentUploaded,
  matchingOf,
  patientRegistered,
  patientsMerged,
} from '../support/events.ts';

const [requests = 200] = process.argv.slice(2).map(Number);
const TENANT = 'bench-as-of';
const env = await createTestEnvironment({ LOG_LEVEL: 'error', RATE_LIMIT_MAX: '1000000' });
const logger = createLogger('error');

/** A document's whole chain a second apart, its patient, and a merge of that patient later. */
function history(start: number) {
  const at = (second: number) => ({ tenantId: TENANT, occurredAt: start + second * 1000 });
  const upload = documentUploaded({ metadata: at(0) });
  const stamp = <E extends DomainEvent>(event: E, second: number): E => ({
    ...event,
    metadata: { ...event.metadata, occurredAt: at(second).occurredAt },
  });
  const chain = chainOf(upload);
  const matching = matchingOf(upload);
  const [patient, survivor] = [randomUUID(), randomUUID()];
  const events: DomainEvent[] = [
    stamp(patientRegistered(patient, {}, { tenantId: TENANT }), 0),
    stamp(patientRegistered(survivor, {}, { tenantId: TENANT }), 0),
    upload,
    stamp(chain.validated(), 1),
    stamp(chain.textExtracted(['GLUCOSA 98 mg/dL']), 2),
    stamp(chain.classified('lab-result'), 3),
    stamp(matching.entitiesExtracted(), 4),
    stamp(matching.qualityAssessed(0.9), 5),
    stamp(matching.patientMatched(patient), 6),
    stamp(patientsMerged(survivor, patient, { tenantId: TENANT }), 8),
  ];
  return { events, documentId: upload.metadata.aggregateId, patient, between: at(2.5) };
}

function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
  const ms = (v: number | undefined) => (v ?? Number.NaN).toFixed(1);
  return `p50 ${ms(at(0.5))} ms  p95 ${ms(at(0.95))} ms  p99 ${ms(at(0.99))} ms`;
}

const system = await startSystem(
  { ...env.config, processors: { ...env.config.processors, run: [] } },
  logger,
);
const kafka = createKafka(env.config, logger);
const producer = createEventProducer(kafka);
try {
  const topics = topicNames(env.config.topics.prefix);
  const registry = createSchemaRegistry(env.config.registry.url, env.config.registry.auth);
  const codec = createEventCodec(registry, await registerEventSchemas(registry, topics));
  await producer.connect();
  const eventLog = createEventLog(producer, codec, topics);
  const { events, documentId, patient, between } = history(Date.now() - 60_000);
  for (const event of events) await eventLog.append(event);
  const { key } = await issueKey(env.config.database.url, TENANT, ['reader']);

  const timed = async (path: string) => {
    const started = performance.now();
    const response = await fetch(`${system.url}${path}`, { headers: bearer(key) });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
    return performance.now() - started;
  };
  const now = new Date().toISOString();
  const reads = {
    'document, live': `/documents/${documentId}`,
    'document, as of now': `/documents/${documentId}?asOf=${now}`,
    'document, as of mid-chain': `/documents/${documentId}?asOf=${new Date(between.occurredAt).toISOString()}`,
    'patient, live': `/patients/${patient}`,
    'patient, as of now': `/patients/${patient}?asOf=${now}`,
  };
  // Every event folded into the read models and indexed by position before measuring.
  await eventually(async () => {
    const response = await fetch(`${system.url}${reads['patient, live']}`, {
      headers: bearer(key),
    });
    const body = await response.json();
    if (body.mergedInto === null || response.status !== 200) throw new Error('not yet merged');
  }, 60_000);
  for (const path of Object.values(reads)) await eventually(() => timed(path), 30_000);

  console.log(`${requests} sequential reads each, after 20 warm-up reads`);
  for (const [name, path] of Object.entries(reads)) {
    for (let i = 0; i < 20; i++) await timed(path);
    const samples: number[] = [];
    for (let i = 0; i < requests; i++) samples.push(await timed(path));
    console.log(`${name.padEnd(28)} ${percentiles(samples)}`);
  }
} finally {
  await producer.disconnect();
  await system.stop();
  await env.cleanup();
}
