// Recovery on a warm stack: docstream (API, projections, every processor) is started as
// `npm start` starts it, given documents to work on, killed with SIGKILL, and started again.
// Prints, per round, the seconds from the kill to the first `GET /health` answering 200, and
// the same for the first start (topics created, schemas registered).
// Run with the stack up: `npx tsx test/bench/recovery.bench.ts [rounds]`.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { textPdf } from '../fixtures/files.ts';
import { apiClient } from '../support/api-client.ts';
import { issueKey } from '../support/credentials.ts';
import { createTestEnvironment, eventually } from '../support/environment.ts';
import { mainArgs } from '../support/processes.ts';

const [rounds = 3] = process.argv.slice(2).map(Number);

const port = await new Promise<number>((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const address = server.address();
    server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
  });
});
const env = await createTestEnvironment({ PORT: String(port), LOG_LEVEL: 'warn' });
const url = `http://127.0.0.1:${port}`;

const main = await mainArgs();
const start = (): ChildProcess =>
  spawn(process.execPath, main, {
    env: { ...process.env, ...env.env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });

/** Seconds from `since` until /health answers 200; polls every 100 ms. */
async function untilHealthy(child: ChildProcess, since: number): Promise<number> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docstream exited with ${child.exitCode}`);
    const status = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) })
      .then((r) => r.status)
      .catch(() => 0);
    if (status === 200) return (performance.now() - since) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

let child = start();
try {
  console.log(
    `first start: healthy after ${(await untilHealthy(child, performance.now())).toFixed(1)} s`,
  );
  const { key } = await issueKey(env.config.database.url, 'recovery');
  const api = apiClient(url, 'recovery', key);
  for (let round = 1; round <= rounds; round++) {
    // Work in flight when the process dies: uploads the chain has yet to finish.
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const pdf = await textPdf([`RESULTADOS DE LABORATORIO ${round}-${i}`, 'Glucosa 98 mg/dL']);
      ids.push((await api.upload(pdf, `lab-${round}-${i}.pdf`)).documentId);
    }
    child.kill('SIGKILL');
    const killed = performance.now();
    await new Promise((resolve) => child.once('exit', resolve));
    child = start();
    const seconds = await untilHealthy(child, killed);
    console.log(`round ${round}: kill -9 to /health 200 in ${seconds.toFixed(1)} s`);
    // The restarted process finishes what the dead one left.
    const done = await eventually(async () => {
      const statuses = await Promise.all(
        ids.map(async (id) => (await api.document(id)).body.status),
      );
      if (statuses.some((s) => s !== 'classified')) throw new Error(statuses.join(','));
      return performance.now();
    }, 180_000);
    console.log(
      `round ${round}: its 10 documents classified ${((done - killed) / 1000).toFixed(1)} s after the kill`,
    );
  }
} finally {
  child.kill('SIGKILL');
  await env.cleanup();
}
