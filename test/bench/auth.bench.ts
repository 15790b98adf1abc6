// The cost of authentication on a point read (GET /documents/:id), side by side in one run:
//   - a bare fastify + pg server answering the same row with the same query, no credential;
//   - the API with an API key (a hash and one PostgreSQL lookup per request);
//   - the API with an OpenID Connect access token from the local Keycloak (verified locally
//     against the issuer's cached signing keys).
// Run with the stack up: `npx tsx test/bench/auth.bench.ts [seconds per mode] [connections]`.
import Fastify from 'fastify';
import { createLogger } from '../../infra/logger.ts';
import { createPool } from '../../infra/postgres.ts';
import { findDocument } from '../../projections/documents/queries.ts';
import { startSystem } from '../../system/system.ts';
import { apiClient } from '../support/api-client.ts';
import { bearer, issueKey } from '../support/credentials.ts';
import { createTestEnvironment, eventually } from '../support/environment.ts';
import { DEMO_PASSWORD, signIn } from '../support/oidc.ts';

const [seconds = 10, connections = 16] = process.argv.slice(2).map(Number);
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

async function load(url: string, headers: Record<string, string>) {
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  let failures = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) {
        const started = performance.now();
        const response = await fetch(url, { headers });
        await response.arrayBuffer();
        if (response.status !== 200) failures++;
        latencies.push(performance.now() - started);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) => (latencies[Math.floor(q * (latencies.length - 1))] ?? 0).toFixed(1);
  return {
    'requests/s': Math.round(latencies.length / seconds),
    'p50 ms': at(0.5),
    'p99 ms': at(0.99),
    failures,
  };
}

const path = `/documents/${documentId}`;
const results = {
  'bare fastify + pg, no auth': await load(`${bareUrl}${path}`, {}),
  'API, API key': await load(`${system.url}${path}`, bearer(key)),
  'API, OIDC token': await load(`${system.url}${path}`, bearer(token)),
};
console.log(`point read, ${connections} connections, ${seconds} s per mode`);
console.table(results);

await bare.close();
await pool.end();
await system.stop();
await env.cleanup();
