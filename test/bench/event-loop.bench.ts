// Whether a large upload holds up everyone else's reads. docstream runs as `npm start` does (API,
// projections and every processor in one process); point reads (GET /documents/:id) run on a
// worker thread all along while the event loop's delay is sampled (perf_hooks), first with nothing
// else to do, then while a 30 MB plain-text document is uploaded (from another worker thread) and
// goes through the chain to a terminal state. Prints both phases' read figures and event-loop
// delays (target: read p99 under 50 ms during the upload).
// The reads come at a steady `rate` per second (open loop: a read's latency counts from when it
// was due, so a stalled loop shows in full); with rate 0 they come from `connections` closed
// loops instead, as fast as the API answers, where p99 also measures the queue of a saturated API.
// Run with the stack up:
// `npx tsx test/bench/event-loop.bench.ts [megabytes] [rate per second] [connections]`.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createLogger } from '../../infra/logger.ts';
import { startSystem } from '../../system/system.ts';
import { largeLabText } from '../fixtures/large-text.ts';
import { apiClient } from '../support/api-client.ts';
import { bearer, issueKey } from '../support/credentials.ts';
import { createTestEnvironment, eventually } from '../support/environment.ts';
import { type LoadFigures, startLoad, uploadFromWorker } from './load.ts';

const [megabytes = 30, rate = 100, connections = 8] = process.argv.slice(2).map(Number);
const BASELINE_SECONDS = 8;
const TERMINAL = new Set(['classified', 'rejected', 'failed']);
const TENANT = 'clinic-a';

const env = await createTestEnvironment({ LOG_LEVEL: 'error', RATE_LIMIT_MAX: '100000000' });
const system = await startSystem(env.config, createLogger('error'));
const { key } = await issueKey(env.config.database.url, TENANT);
const api = apiClient(system.url as string, TENANT, key);
const probe = await api.upload(Buffer.from('Nota de evolucion.\n'), 'nota.txt');
await eventually(async () => {
  const { body } = await api.document(probe.documentId);
  if (!TERMINAL.has(body.status)) throw new Error('not yet');
}, 120_000);
const read = { url: `${system.url}/documents/${probe.documentId}`, headers: bearer(key) };

/** Point reads and the event loop's delay while `during` runs. */
async function measure(during: () => Promise<void>) {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  const load = startLoad({ ...read, seconds: 3600, connections, ratePerSecond: rate || undefined });
  delay.enable();
  const started = performance.now();
  await during();
  const seconds = (performance.now() - started) / 1000;
  load.stop();
  const reads = await load.done;
  delay.disable();
  const ms = (ns: number) => Number((ns / 1e6).toFixed(1));
  return {
    seconds: Number(seconds.toFixed(1)),
    ...reads,
    'loop delay p50 ms': ms(delay.percentile(50)),
    'loop delay p99 ms': ms(delay.percentile(99)),
    'loop delay max ms': ms(delay.max),
  } satisfies LoadFigures & Record<string, number>;
}

const idle = await measure(
  () => new Promise((resolve) => setTimeout(resolve, BASELINE_SECONDS * 1000)),
);
const text = largeLabText(megabytes * 1024 * 1024);
let documentId = '';
let outcome = '';
const busy = await measure(async () => {
  const { status, body } = await uploadFromWorker({
    url: `${system.url}/documents`,
    headers: bearer(key),
    bytes: text,
    fileName: 'large-lab-report.txt',
  });
  if (status !== 202) throw new Error(`upload answered ${status}: ${JSON.stringify(body)}`);
  documentId = body.documentId as string;
  await eventually(async () => {
    const { body } = await api.document(documentId);
    if (!TERMINAL.has(body.status)) throw new Error('not yet');
    outcome = body.status;
  }, 1_200_000);
});

const reads = rate ? `${rate} point reads/s` : `point reads with ${connections} connections`;
console.log(`${reads}; a ${megabytes} MB text went to "${outcome}"`);
console.table({ 'nothing else': idle, [`${megabytes} MB text in the chain`]: busy });

await system.stop();
await env.cleanup();
