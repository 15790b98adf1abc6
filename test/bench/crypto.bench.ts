// What sealing costs: the encryption port on small fields (data key cached), new subjects' keys
// made and stored in the real key store, and blobs sealed and opened beside the plain staging
// write they follow. Run with the stack up: `npx tsx test/bench/crypto.bench.ts [fields] [blobMiB]`.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createFileBlobStore } from '../../infra/blobs/blob-store.ts';
import { documentSubject, patientSubject } from '../../infra/crypto/envelope.ts';
import { startKeyService } from '../../infra/crypto/service.ts';
import { createLogger } from '../../infra/logger.ts';
import { createPool, migrate } from '../../infra/postgres.ts';
import { createTestEnvironment } from '../support/environment.ts';
import { memoryEncryption } from '../support/memory-keys.ts';

const [fields = 50_000, blobMiB = 32] = process.argv.slice(2).map(Number);
const rate = (n: number, ms: number) => Math.round((n * 1000) / ms);
const time = async (work: () => Promise<unknown>) => {
  const started = performance.now();
  await work();
  return performance.now() - started;
};

// Small fields, as event fields will be: one subject, its key cached after the first.
const encryption = memoryEncryption();
const subject = patientSubject('bench', 'p-1');
const field = 'PÉREZ LÓPEZ, MARÍA GUADALUPE · 0012345 · 1961-03-04 · '.repeat(4);
const sealed: Buffer[] = [];
const sealMs = await time(async () => {
  for (let i = 0; i < fields; i++) sealed.push(await encryption.encryptFor(subject, field, 'name'));
});
const openMs = await time(async () => {
  for (const ciphertext of sealed) await encryption.decrypt(ciphertext);
});
console.log(
  `fields of ${Buffer.byteLength(field)} bytes: encryptFor ${rate(fields, sealMs)}/s, decrypt ${rate(fields, openMs)}/s; ciphertext ${sealed[0]?.length} bytes`,
);

// New subjects: a data key made, wrapped and stored in PostgreSQL per subject.
const env = await createTestEnvironment({ LOG_LEVEL: 'error' });
const dir = await mkdtemp(path.join(tmpdir(), 'crypto-bench-'));
try {
  await migrate(env.config.database, createLogger('error'));
  const owner = createPool(env.config.database.url, 2);
  const keys = await startKeyService(env.config, owner);
  const subjects = 2000;
  const newKeysMs = await time(async () => {
    for (let i = 0; i < subjects; i++) {
      await keys.encryption.encryptFor(documentSubject('bench', `d-${i}`), 'x', 'name');
    }
  });
  console.log(`new subjects (key made and stored in PostgreSQL): ${rate(subjects, newKeysMs)}/s`);

  // Blobs: stage (plain, hashing) then commit (sealing), then read (opening whole).
  const blobs = createFileBlobStore(dir, keys.encryption);
  const bytes = randomBytes(blobMiB * 1024 * 1024);
  let staged: Awaited<ReturnType<typeof blobs.stage>> | undefined;
  const stageMs = await time(async () => {
    staged = await blobs.stage(Readable.from([bytes]), Number.MAX_SAFE_INTEGER);
  });
  let ref = '';
  const commitMs = await time(async () => {
    if (staged) ref = (await blobs.commit(staged, 'bench', 'blob-doc')).ref;
  });
  const readMs = await time(() => blobs.read('bench', ref));
  const mibPerS = (ms: number) => ((blobMiB * 1000) / ms).toFixed(0);
  console.log(
    `blob of ${blobMiB} MiB: stage ${mibPerS(stageMs)} MiB/s (plain, hashed), commit ${mibPerS(commitMs)} MiB/s (sealed), read ${mibPerS(readMs)} MiB/s (opened)`,
  );
  await keys.close();
  await owner.end();
} finally {
  await rm(dir, { recursive: true, force: true });
  await env.cleanup();
}
