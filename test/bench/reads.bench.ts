// Point reads (GET /documents/:id) against their floor, side by side in one run:
//   - a bare fastify + pg server answering the same row with the same query, no credential;
//   - the API with an API key, and with an OpenID Connect access token from the local Keycloak.
// Modes alternate for `rounds` rounds so a busy machine weighs on each alike; the load runs on a
// worker thread (test/bench/load.ts). Prints requests/s and p99 of each and their ratios to the
// bare server's (targets: 0.7x or more of its requests/s, p99 within 1.5x of its), and the
// process's CPU time per request beside the bare server's; then each round's own ratios, whose
// spread shows how much the machine moved the figures.
// Run with the stack up: `npx tsx test/bench/reads.bench.ts [seconds per mode] [connections] [rounds]`.
import Fastify from 'fastify';
import { createLogger } from '../../infra/logger.ts';
import { createPool } from '../../infra/postgres.ts';
import { findDocument } from '../../projections/documents/queries.ts';
import { startSystem } from '../../system/system.ts';
import { apiClient } from '../support/api-client.ts';
import { bearer, issueKey } from '../support/credentials.ts';
import { createTestEnvironment, eventually } from '../support/environment.ts';
import { DEMO_PASSWORD, signIn } from '../support/oidc.ts';
import { type LoadFigures, runLoad } from './load.ts';

const [seconds = 8, connections = 16, rounds = 2] = process.argv.slice(2).map(Number);
const TENANT = 'clinic-a';
const env = await createTestEnvironment({ LOG_LEVEL: 'error', RATE_LIMIT_MAX: '100000000' });
const system = await startSystem(
  { ...env.config, processors: { ...env.config.processors, run: [] } },
  createLogger('error'),
);
const { key } = await issueKey(env.config.database.url, TENANT);
const api = apiClient(system.url as string, TENANT, key);
const { documentId } = await api.upload(Buffer.from('Nota de evolucion.\n'), 'nota.txt');
await eventually(async () => {
  if ((await api.document(documentId)).status !== 200) throw new Error('not yet');
});
const token = await signIn('reader-a', DEMO_PASSWORD);

const pool = createPool(env.config.database.url, 10);
const bare = Fastify();
bare.get<{ Params: { id: string } }>('/documents/:id', (request) =>
  findDocument(pool, TENANT, request.params.id),
);
const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });

const path = `/documents/${documentId}`;
const BARE = 'bare fastify + pg';
const modes: Record<string, { url: string; headers: Record<string, string> }> = {
  [BARE]: { url: `${bareUrl}${path}`, headers: {} },
  'API, API key': { url: `${system.url}${path}`, headers: bearer(key) },
  'API, OIDC token': { url: `${system.url}${path}`, headers: bearer(token) },
};
type Figures = LoadFigures & { 'cpu µs/req': number };
const runs: Record<string, Figures[]> = {};
for (const name of Object.keys(modes)) runs[name] = [];
// Warm both servers (JIT, pools, caches) before anything is counted.
for (const mode of Object.values(modes)) await runLoad({ ...mode, seconds: 1, connections });
for (let round = 0; round < rounds; round++) {
  for (const [name, mode] of Object.entries(modes)) {
    // CPU time per request, of the whole process (both servers, the load's worker thread and the
    // background alike for every mode): unlike requests/s, it hardly moves when other processes
    // take the machine's cores.
    const before = process.cpuUsage();
    const figures = await runLoad({ ...mode, seconds, connections });
    const { user, system } = process.cpuUsage(before);
    const requests = Math.max(1, figures['requests/s'] * seconds);
    runs[name]?.push({ ...figures, 'cpu µs/req': Math.round((user + system) / requests) });
  }
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const summary = Object.fromEntries(
  Object.entries(runs).map(([name, list]) => [
    name,
    {
      'requests/s': Math.round(mean(list.map((f) => f['requests/s']))),
      'p50 ms': Number(mean(list.map((f) => f['p50 ms'])).toFixed(1)),
      'p99 ms': Number(mean(list.map((f) => f['p99 ms'])).toFixed(1)),
      failures: list.reduce((sum, f) => sum + f.failures, 0),
      'cpu µs/req': Math.round(mean(list.map((f) => f['cpu µs/req']))),
    },
  ]),
);
const floor = summary[BARE] as Figures;
for (const figures of Object.values(summary)) {
  Object.assign(figures, {
    'x bare req/s': Number((figures['requests/s'] / floor['requests/s']).toFixed(2)),
    'x bare p99': Number((figures['p99 ms'] / floor['p99 ms']).toFixed(2)),
    'x bare cpu µs': Number((figures['cpu µs/req'] / floor['cpu µs/req']).toFixed(2)),
  });
}
console.log(
  `point read, ${connections} connections, ${seconds} s per mode, ${rounds} rounds (means)`,
);
console.table(summary);
// Each round's own ratio to the bare server of that round: how far the machine moved the figures.
const bareRuns = runs[BARE] ?? [];
for (const [name, list] of Object.entries(runs)) {
  if (name === BARE) continue;
  const ratios = list.map((f, round) => {
    const floorRound = bareRuns[round] as LoadFigures;
    const rate = `${Math.round(f['requests/s'])}/${Math.round(floorRound['requests/s'])}`;
    const ratio = (f['requests/s'] / floorRound['requests/s']).toFixed(2);
    return `${rate} = ${ratio}x req/s, ${(f['p99 ms'] / floorRound['p99 ms']).toFixed(2)}x p99`;
  });
  console.log(`${name}, round by round: ${ratios.join('; ')}`);
}

await bare.close();
await pool.end();
await system.stop();
await env.cleanup();
