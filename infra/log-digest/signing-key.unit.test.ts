import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { keyIdOf } from './signing.ts';
import { loadSigningKey } from './signing-key.ts';

describe('the log signing key', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'signing-key-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('defaults to a file in the data directory, made when missing', () => {
    const { logDigest } = loadConfig({ DOCSTREAM_DATA_DIR: dir });
    expect(logDigest).toMatchObject({ enabled: true, everyRecords: 1000, intervalMs: 60_000 });
    expect(logDigest.signingKey).toEqual({
      pem: undefined,
      file: path.join(dir, 'secrets', 'log-signing-key.pem'),
      createIfMissing: true,
    });
    const named = loadConfig({ DOCSTREAM_DATA_DIR: dir, LOG_SIGNING_KEY_FILE: '/etc/k.pem' });
    expect(named.logDigest.signingKey.createIfMissing).toBe(false);
  });

  it('is made once, readable by its owner alone, and read back the same', async () => {
    const settings = loadConfig({ DOCSTREAM_DATA_DIR: dir }).logDigest.signingKey;
    const made = await loadSigningKey(settings);
    expect((await stat(settings.file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(settings.file))).mode & 0o777).toBe(0o700);
    expect(keyIdOf(await loadSigningKey(settings))).toBe(keyIdOf(made));
  });

  it('is never made for a file the configuration names', async () => {
    const file = path.join(dir, 'named.pem');
    await expect(loadSigningKey({ pem: undefined, file, createIfMissing: false })).rejects.toThrow(
      /does not exist/,
    );
  });

  it('must be Ed25519', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    const pem = rsa.export({ type: 'pkcs8', format: 'pem' }) as string;
    await expect(loadSigningKey({ pem, file: '', createIfMissing: false })).rejects.toThrow(
      /Ed25519/,
    );
    const file = path.join(dir, 'inline.pem');
    const ed = generateKeyPairSync('ed25519').privateKey;
    await writeFile(file, ed.export({ type: 'pkcs8', format: 'pem' }) as string);
    const loaded = await loadSigningKey({
      pem: await readFile(file, 'utf8'),
      file: '',
      createIfMissing: false,
    });
    expect(keyIdOf(loaded)).toBe(keyIdOf(ed));
  });
});
