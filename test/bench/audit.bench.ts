// The cost of auditing a point read: N sequential GET /documents/:id, one connection, with reads
// audited (AUDIT_READS=true, the default) and without, against the same read models.
// Run with the stack up: `npx tsx test/bench/audit.bench.ts [requests]`.
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
import { startSystem } from '../../system/system.ts';
import { bearer, issueKey } from '../support/credentials.ts';
import { createTestEnvironment, eventually } from '../support/environment.ts';
import { documentUploaded } from '../support/events.ts';

const [requests = 2000] = process.argv.slice(2).map(Number);
const TENANT = 'bench-audit';
const env = await createTestEnvironment({ LOG_LEVEL: 'error', RATE_LIMIT_MAX: '1000000' });
const logger = createLogger('error');

const upload = documentUploaded({ metadata: { tenantId: TENANT } });
const documentId = upload.metadata.aggregateId;

async function pointReads(auditReads: boolean) {
  const config = {
    ...env.config,
    processors: { ...env.config.processors, run: [] },
    audit: { reads: auditReads },
  };
  const system = await startSystem(config, logger);
  try {
    const { key } = await issueKey(env.config.database.url, TENANT, ['reader']);
    const url = `${system.url}/documents/${documentId}`;
    const get = async () => {
      const response = await fetch(url, { headers: bearer(key) });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`answered ${response.status}`);
    };
    await eventually(get);
    for (let i = 0; i < 200; i++) await get(); // warm-up
    const started = performance.now();
    for (let i = 0; i < requests; i++) await get();
    const seconds = (performance.now() - started) / 1000;
    return { perSecond: requests / seconds, meanMs: (seconds * 1000) / requests };
  } finally {
    await system.stop();
  }
}

try {
  const topics = topicNames(env.config.topics.prefix);
  const registry = createSchemaRegistry(env.config.registry.url, env.config.registry.auth);
  const codec = createEventCodec(registry, await registerEventSchemas(registry, topics));
  const kafka = createKafka(env.config, logger);
  // The topics are made by the first start; the document is appended once they exist.
  const first = await startSystem(
    { ...env.config, processors: { ...env.config.processors, run: [] } },
    logger,
  );
  const producer = createEventProducer(kafka);
  await producer.connect();
  await createEventLog(producer, codec, topics).append(upload);
  await producer.disconnect();
  await first.stop();

  const results: Array<[string, Awaited<ReturnType<typeof pointReads>>]> = [];
  // Twice each, alternating, so that neither side alone gets a warmer machine.
  for (const audited of [false, true, false, true]) {
    results.push([audited ? 'audited' : 'not audited', await pointReads(audited)]);
  }
  console.log(`${requests} sequential GET /documents/:id per run, one connection`);
  for (const [label, r] of results) {
    console.log(
      `${label.padEnd(12)} ${r.perSecond.toFixed(0).padStart(6)} req/s  ${r.meanMs.toFixed(2)} ms/req`,
    );
  }
} finally {
  await env.cleanup();
}
