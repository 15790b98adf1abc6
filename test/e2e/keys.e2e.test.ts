import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenantDecryptor } from '../../infra/crypto/downstream.ts';
import { createLogger } from '../../infra/logger.ts';
import { type System, startSystem } from '../../system/system.ts';
import { png } from '../fixtures/files.ts';
import { apiClient } from '../support/api-client.ts';
import { bearer, issueKey } from '../support/credentials.ts';
import { createTestEnvironment, eventually, type TestEnvironment } from '../support/environment.ts';
import { mainArgs } from '../support/processes.ts';

const TENANT_KEK = fileURLToPath(new URL('../../system/tenant-kek.ts', import.meta.url));
const TENANT = 'clinic-1';
// What must never be on disk in the clear: the patient's name, record number and date of birth.
const SECRETS = ['VILLANUEVA', 'Ximena', '0045871', '1979-11-23'];
const NOTE = [
  'NOTA DE EVOLUCION',
  'Paciente: VILLANUEVA OROZCO, Ximena',
  'Expediente: 0045871',
  'Fecha de nacimiento: 1979-11-23',
  'Glucosa 101 mg/dL. Control en tres meses.',
].join('\n');

/** `npm start`'s entry point with `env`: its exit code and everything it said. */
const runMain = async (env: Record<string, string | undefined>) => run(await mainArgs(), env);

const runScript = (script: string, args: string[], env: Record<string, string | undefined>) =>
  run(['--import', 'tsx', script, ...args], env);

function run(nodeArgs: string[], env: Record<string, string | undefined>) {
  const child = spawn(process.execPath, nodeArgs, {
    env: { ...env, LOG_LEVEL: 'info' } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c));
  child.stderr.on('data', (c: Buffer) => (output += c));
  // Should it start after all, the test fails on its exit code rather than hanging.
  const guard = setTimeout(() => child.kill('SIGTERM'), 90_000);
  return new Promise<{ code: number | null; output: string }>((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, output });
    }),
  );
}

describe('keys: sealed blobs at rest and the key-encryption key at start', () => {
  let env: TestEnvironment;
  let system: System | undefined;
  let api: ReturnType<typeof apiClient>;
  let key: string;

  beforeAll(async () => {
    // Every extracted text goes to the blob store too, so it is sealed there as well.
    env = await createTestEnvironment({ TEXT_INLINE_MAX_BYTES: '0' });
    system = await startSystem(env.config, createLogger('silent'));
    key = (await issueKey(env.config.database.url, TENANT)).key;
    api = apiClient(system.url as string, TENANT, key);
  });
  afterAll(async () => {
    await system?.stop();
    await env?.cleanup();
  });

  const storedFiles = async () =>
    (await readdir(env.config.blobs.dir, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile() && !e.parentPath.includes('.staging'))
      .map((e) => path.join(e.parentPath, e.name));

  let documentId: string;

  it('reads an upload through the chain while the disk holds no byte of it in the clear', async () => {
    ({ documentId } = await api.upload(Buffer.from(NOTE), 'nota.txt'));
    await eventually(async () => {
      const { body } = await api.document(documentId);
      expect(body.status).toBe('classified');
    }, 60_000);
    const { body: text } = await api.text(documentId);
    expect(JSON.stringify(text)).toContain('VILLANUEVA OROZCO, Ximena');

    const files = await storedFiles();
    // The upload and its extracted text.
    expect(files).toHaveLength(2);
    for (const file of files) {
      const bytes = await readFile(file);
      const found = SECRETS.filter((s) => bytes.includes(Buffer.from(s)));
      expect({ file: path.basename(file), found }).toEqual({
        file: path.basename(file),
        found: [],
      });
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      for (
        let dir = path.dirname(file);
        dir.startsWith(env.config.blobs.dir);
        dir = path.dirname(dir)
      ) {
        expect((await stat(dir)).mode & 0o777).toBe(0o700);
      }
    }
  });

  it('still knows a repeat of the same file, and draws page images from sealed files', async () => {
    const again = await api.upload(Buffer.from(NOTE), 'nota-otra-vez.txt');
    await eventually(async () => {
      const { body } = await api.document(again.documentId);
      expect(body.duplicateOf).toBe(documentId);
    });
    const image = await api.upload(png(40, 30), 'foto.png');
    await eventually(async () => {
      const response = await fetch(`${system?.url}/documents/${image.documentId}/pages/1/image`, {
        headers: bearer(key),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/png');
    }, 60_000);
  });

  it("gives a downstream system its tenant's key, which opens that tenant's files", async () => {
    const printed = await runScript(TENANT_KEK, [TENANT], { ...process.env, ...env.env });
    expect(printed.code).toBe(0);
    const decryptor = createTenantDecryptor({
      databaseUrl: env.config.database.keysUrl,
      tenantId: TENANT,
      tenantKek: Buffer.from(printed.output.trim(), 'base64'),
    });
    try {
      const opened = await Promise.all(
        (await storedFiles()).map(async (file) => decryptor.decrypt(await readFile(file))),
      );
      expect(opened.some((bytes) => bytes.toString('utf8') === NOTE)).toBe(true);
    } finally {
      await decryptor.close();
    }
  });

  it('refuses to start with a wrong key-encryption key, or none, and writes nothing', async () => {
    await system?.stop();
    system = undefined;
    const owner = new pg.Client({ connectionString: env.config.database.url });
    await owner.connect();
    const keys = async () =>
      (await owner.query('SELECT count(*)::int AS n FROM keystore.data_keys')).rows[0].n;
    try {
      const before = await keys();
      expect(before).toBeGreaterThan(0);
      const base = { ...process.env, ...env.env };
      const wrong = await runMain({
        ...base,
        KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      });
      expect(wrong.code).toBe(1);
      expect(wrong.output).toContain("the key-encryption key does not match the key store's");

      const missing = await runMain({
        ...base,
        KEY_ENCRYPTION_KEY: undefined,
        KEY_ENCRYPTION_KEY_FILE: path.join(env.config.dataDir, 'no-such-key'),
      });
      expect(missing.code).toBe(1);
      expect(missing.output).toContain('set KEY_ENCRYPTION_KEY');
      expect(await keys()).toBe(before);
    } finally {
      await owner.end();
    }
  });
});
