// Rebuild and swap while docstream serves: N documents' chains (uploaded, validated, text
// extracted, classified) are appended to the log and folded by a running docstream (processors
// off, so the log holds exactly these); then `npm run rebuild -- all` folds every read model again
// into its shadow and swaps it in, printing its events/s beside a bare kafkajs read of the same
// topics, while the API is read without pause. Run with the stack up:
// `npx tsx test/bench/rebuild.bench.ts [documents]`.
import { createEventProducer, createKafka } from '../../infra/kafka/client.ts';
import { toKafkaMessage, topicOf } from '../../infra/kafka/event-log.ts';
import { topicNames } from '../../infra/kafka/topics.ts';
import { createLogger } from '../../infra/logger.ts';
import { createPool } from '../../infra/postgres.ts';
import {
  createEventCodec,
  createSchemaRegistry,
  registerEventSchemas,
} from '../../schemas/codec.ts';
import type { DomainEvent } from '../../schemas/events.ts';
import { startSystem } from '../../system/system.ts';
import { bearer, issueKey } from '../support/credentials.ts';
import { createTestEnvironment, eventually } from '../support/environment.ts';
import { chainOf, documentUploaded } from '../support/events.ts';
import { runNpmScript } from '../support/processes.ts';

const [documents = 2000] = process.argv.slice(2).map(Number);
const TENANT = 'bench-rebuild';
const env = await createTestEnvironment({ LOG_LEVEL: 'error', RATE_LIMIT_MAX: '1000000' });
const logger = createLogger('error');

function chain(i: number): DomainEvent[] {
  const upload = documentUploaded({ metadata: { tenantId: TENANT } });
  const steps = chainOf(upload);
  return [
    upload,
    steps.validated(),
    steps.textExtracted([`Glucosa ${100 + (i % 50)} mg/dL (70 - 100) ALTO`]),
    steps.classified('lab-result'),
  ];
}

const rebuildAll = async () => {
  const run = await runNpmScript('rebuild', ['all'], env.env);
  process.stderr.write(run.stderr);
  return { code: run.code, output: run.stdout };
};

const config = { ...env.config, processors: { ...env.config.processors, run: [] } };
const system = await startSystem(config, logger);
const owner = createPool(env.config.database.url, 1);
try {
  const topics = topicNames(env.config.topics.prefix);
  const registry = createSchemaRegistry(env.config.registry.url, env.config.registry.auth);
  const codec = createEventCodec(registry, await registerEventSchemas(registry, topics));
  const producer = createEventProducer(createKafka(env.config, logger));
  await producer.connect();
  const events = Array.from({ length: documents }, (_, i) => chain(i)).flat();
  for (let i = 0; i < events.length; i += 500) {
    const slice = events.slice(i, i + 500);
    const messages = await Promise.all(slice.map((e) => toKafkaMessage(e, codec)));
    await producer.sendBatch({
      topicMessages: slice.map((e, j) => ({
        topic: topicOf(e, topics),
        messages: [messages[j] as (typeof messages)[number]],
      })),
    });
  }
  await producer.disconnect();
  await eventually(async () => {
    const { rows } = await owner.query(
      `SELECT (SELECT count(*)::int FROM documents WHERE status = 'classified') AS classified,
              (SELECT count(*)::int FROM document_timeline) AS timeline,
              (SELECT count(*)::int FROM document_pages) AS pages`,
    );
    const folded = rows[0];
    if (
      folded.classified < documents ||
      folded.timeline < events.length ||
      folded.pages < documents
    )
      throw new Error(`live read models not folded yet: ${JSON.stringify(folded)}`);
  }, 600_000);

  const { key } = await issueKey(env.config.database.url, TENANT, ['reader']);
  let reading = true;
  const statuses = new Map<number, number>();
  const reader = (async () => {
    while (reading) {
      const response = await fetch(`${system.url}/documents?limit=20`, { headers: bearer(key) });
      await response.arrayBuffer();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    }
  })();
  const started = performance.now();
  const run = await rebuildAll();
  const seconds = (performance.now() - started) / 1000;
  reading = false;
  await reader;

  console.log(`${documents} documents, ${events.length} events in the log`);
  console.log(run.output.trimEnd());
  console.log(`npm run rebuild -- all: exit ${run.code}, ${seconds.toFixed(1)} s in all`);
  console.log(
    `GET /documents during the rebuild: ${[...statuses].map(([s, n]) => `${n} × ${s}`).join(', ')}`,
  );
} finally {
  await owner.end();
  await system.stop();
  await env.cleanup();
}
