// Hostile containers through the running system: each is uploaded over HTTP and opened by the
// validate processor, while the process's resident memory and the bytes in the blob store's
// staging directory are sampled every few milliseconds. Prints, for each, what it claims, what
// became of it, the peak RSS (and its rise over the idle process) and the peak staging bytes.
// Run with the stack up: `node --expose-gc --import tsx test/bench/archive-bomb.bench.ts`. Not a
// timed test: it prints its figures.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createLogger } from '../../infra/logger.ts';
import { startSystem } from '../../system/system.ts';
import { nestedBomb, nestedZips, zipOf } from '../fixtures/archives.ts';
import { docxWith } from '../fixtures/words.ts';
import { apiClient } from '../support/api-client.ts';
import { issueKey } from '../support/credentials.ts';
import { createTestEnvironment, eventually } from '../support/environment.ts';

const MiB = 1024 * 1024;
const TENANT = 'clinic-bench-bombs';

interface Case {
  name: string;
  fileName: string;
  claims: string;
  bytes: () => Promise<Buffer>;
}

const cases: Case[] = [
  {
    name: '42.zip-like bomb',
    fileName: 'bomba.zip',
    claims: '16 x 16 x 64 MiB = 16 GiB',
    bytes: () => nestedBomb({ leafBytes: 64 * MiB, copies: 16, layers: 3 }),
  },
  {
    name: 'flat bomb (one 300 MiB entry)',
    fileName: 'plano.zip',
    claims: '300 MiB',
    bytes: () => zipOf([{ name: 'ceros.txt', data: Buffer.alloc(300 * MiB) }]),
  },
  {
    name: 'recursive: zips nested 200 deep',
    fileName: 'hondo.zip',
    claims: '200 levels',
    bytes: () => nestedZips(200, { name: 'hondo.txt', data: 'demasiado hondo' }),
  },
  {
    name: 'wide: 20,000 small entries',
    fileName: 'ancho.zip',
    claims: '20,000 entries',
    bytes: () =>
      zipOf(Array.from({ length: 20_000 }, (_, i) => ({ name: `n/${i}.txt`, data: `nota ${i}` }))),
  },
  {
    name: 'Word bomb (.docx, 128 MiB part)',
    fileName: 'informe.docx',
    claims: '128 MiB',
    bytes: () => docxWith(['Informe'], { 'word/media/relleno.bin': Buffer.alloc(128 * MiB) }),
  },
];

/**
 * Samples this process's resident memory (from /proc) and the bytes in the staging directory
 * every few milliseconds from another process, so that sampling a thousand staged files does
 * not slow the expansion it measures. Linux only.
 */
const SAMPLER = `
const { readdirSync, readFileSync, statSync } = require('node:fs');
const path = require('node:path');
const [pid, dir] = process.argv.slice(1);
const rss = () => Number(/VmRSS:\\s+(\\d+)/.exec(readFileSync('/proc/' + pid + '/status', 'utf8'))[1]) * 1024;
const staged = () => {
  let names = [];
  try { names = readdirSync(dir); } catch {}
  let sum = 0;
  for (const n of names) { try { sum += statSync(path.join(dir, n)).size; } catch {} }
  return sum;
};
const peak = { idleRss: rss(), rss: 0, staged: 0 };
const timer = setInterval(() => {
  peak.rss = Math.max(peak.rss, rss());
  peak.staged = Math.max(peak.staged, staged());
}, 5);
process.on('message', () => {
  clearInterval(timer);
  process.send({ ...peak, after: staged() }, () => process.exit(0));
});
process.send('ready');
`;

interface Peaks {
  idleRss: number;
  rss: number;
  staged: number;
  after: number;
}

async function startSampler(dir: string): Promise<() => Promise<Peaks>> {
  const child = spawn(process.execPath, ['-e', SAMPLER, String(process.pid), dir], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await once(child, 'message');
  return async () => {
    const answer = once(child, 'message');
    child.send('stop');
    return (await answer)[0] as Peaks;
  };
}

const env = await createTestEnvironment({ OCR_WORKERS: '1', PROCESSORS: 'validate' });
const system = await startSystem(env.config, createLogger('warn'));
const { key } = await issueKey(env.config.database.url, TENANT);
const api = apiClient(system.url as string, TENANT, key);
const staging = path.join(env.config.blobs.dir, '.staging');
const limits = env.config.archives;
console.log(
  `limits: depth ${limits.maxDepth}, entries ${limits.maxEntries}, expanded ${limits.maxExpandedBytes / MiB} MiB, ratio ${limits.maxRatio}`,
);

try {
  for (const c of cases) {
    const bytes = await c.bytes();
    global.gc?.();
    const stopSampler = await startSampler(staging);
    const started = performance.now();
    const { documentId } = await api.upload(bytes, c.fileName);
    const outcome = await eventually(async () => {
      const { body } = await api.document(documentId);
      if (!['expanded', 'rejected', 'failed', 'validated'].includes(body.status)) {
        throw new Error(`still ${body.status}`);
      }
      return body;
    }, 600_000);
    const ms = performance.now() - started;
    const peaks = await stopSampler();
    const reasons = new Map<string, number>();
    for (const r of outcome.children?.rejected ?? []) {
      reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1);
    }
    const what =
      outcome.status === 'expanded'
        ? `expanded: ${outcome.children.accepted} accepted, refused ${[...reasons].map(([r, n]) => `${n} ${r}`).join(', ')}`
        : `${outcome.status} ${outcome.statusReason ?? ''}`;
    console.log(
      `${c.name}: ${(bytes.length / 1024).toFixed(0)} KiB claiming ${c.claims}; ${what}; ` +
        `${(ms / 1000).toFixed(1)} s; peak RSS ${(peaks.rss / MiB).toFixed(0)} MiB ` +
        `(+${((peaks.rss - peaks.idleRss) / MiB).toFixed(0)} MiB over ${(peaks.idleRss / MiB).toFixed(0)}); ` +
        `peak staging ${(peaks.staged / MiB).toFixed(1)} MiB; staging after ${peaks.after} bytes`,
    );
  }
} finally {
  await system.stop();
  await env.cleanup();
}
