// Webhook delivery latency, from an event's occurrence to the receiver: events appended to the
// document log at a steady pace, one endpoint on a local receiver that always answers 200, no
// processors running (so the time measured is the log, the webhook consumer and the dispatcher).
// Run with the stack up: `npx tsx test/bench/webhooks.bench.ts [events] [intervalMs]`.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
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
import { apiClient } from '../support/api-client.ts';
import { issueKey } from '../support/credentials.ts';
import { createTestEnvironment, eventually } from '../support/environment.ts';
import { documentUploaded } from '../support/events.ts';

const [events = 300, intervalMs = 10] = process.argv.slice(2).map(Number);
const TENANT = 'bench-webhooks';
const env = await createTestEnvironment({
  LOG_LEVEL: 'error',
  PROCESSORS: 'none',
  WEBHOOK_ALLOW_PRIVATE: 'true',
});
const logger = createLogger('error');

const latencies: number[] = [];
const server = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const { metadata } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    latencies.push(Date.now() - metadata.occurredAt);
    response.writeHead(200).end();
  });
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');

const system = await startSystem(env.config, logger);
try {
  const { key } = await issueKey(env.config.database.url, TENANT);
  const api = apiClient(system.url as string, TENANT, key);
  const { port } = server.address() as AddressInfo;
  const hook = await api.post('/webhooks', {
    url: `http://127.0.0.1:${port}/`,
    eventTypes: ['DocumentUploaded'],
  });
  if (hook.status !== 201) throw new Error(`registration answered ${hook.status}`);

  const topics = topicNames(env.config.topics.prefix);
  const registry = createSchemaRegistry(env.config.registry.url, env.config.registry.auth);
  const codec = createEventCodec(registry, await registerEventSchemas(registry, topics));
  const producer = createEventProducer(createKafka(env.config, logger));
  await producer.connect();
  const log = createEventLog(producer, codec, topics);
  for (let i = 0; i < events; i++) {
    await log.append(documentUploaded({ metadata: { tenantId: TENANT, occurredAt: Date.now() } }));
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  await producer.disconnect();
  await eventually(() => {
    if (latencies.length < events) throw new Error(`${latencies.length} of ${events} delivered`);
  }, 60_000);

  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  console.log(
    `${events} events, one every ${intervalMs} ms, each to its own document: event→receiver ` +
      `p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, p99 ${at(0.99)} ms, max ${sorted.at(-1)} ms`,
  );
} finally {
  await system.stop();
  server.close();
  await env.cleanup();
}
