import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryEncryption } from '../../test/support/memory-keys.ts';
import type { Encryption } from '../crypto/encryption.ts';
import { KeyDestroyedError } from '../crypto/errors.ts';
import { type BlobStore, createFileBlobStore } from './blob-store.ts';

const CONTENT = Buffer.from('NOTA DE EVOLUCIÓN\nPaciente: GARCÍA RUIZ, ANA\nExpediente 0098765\n');

/** Every file under `dir`, staging left out. */
async function storedFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && !e.parentPath.includes('.staging'))
    .map((e) => path.join(e.parentPath, e.name));
}

describe('the blob store at rest', () => {
  let dir: string;
  let encryption: Encryption;
  let blobs: BlobStore;
  beforeEach(async () => {
    dir = path.join(await mkdtemp(path.join(tmpdir(), 'blobs-')), 'blobs');
    encryption = memoryEncryption();
    blobs = createFileBlobStore(dir, encryption);
  });
  afterEach(async () => rm(path.dirname(dir), { recursive: true, force: true }));

  const commit = async (tenantId: string, documentId: string, bytes = CONTENT) =>
    blobs.commit(await blobs.stage(Readable.from([bytes]), 1 << 20), tenantId, documentId);

  it('when a file is committed, then the disk holds ciphertext only, 0600 under 0700', async () => {
    const { ref, created } = await commit('clinic-1', 'doc-1');
    expect(created).toBe(true);
    const [file, ...others] = await storedFiles(dir);
    expect(others).toEqual([]);
    const onDisk = await readFile(file as string);
    for (const needle of ['GARCÍA', 'Expediente', '0098765', 'NOTA']) {
      expect(onDisk.includes(Buffer.from(needle))).toBe(false);
    }
    expect((await stat(file as string)).mode & 0o777).toBe(0o600);
    for (let at = path.dirname(file as string); at.startsWith(dir); at = path.dirname(at)) {
      expect((await stat(at)).mode & 0o777).toBe(0o700);
    }
    expect(await blobs.read('clinic-1', ref)).toEqual(CONTENT);
    expect(await buffer(blobs.open('clinic-1', ref))).toEqual(CONTENT);
  });

  it('addresses content by a keyed hash: equal files dedupe within a tenant, not across', async () => {
    const first = await commit('clinic-1', 'doc-1');
    const again = await commit('clinic-1', 'doc-2');
    const elsewhere = await commit('clinic-2', 'doc-3');
    expect(again).toEqual({ ref: first.ref, created: false });
    expect(elsewhere.created).toBe(true);
    expect(elsewhere.ref).not.toBe(first.ref);
    const sha256 = createHash('sha256').update(CONTENT).digest('hex');
    expect(first.ref).not.toContain(sha256);
    expect((await storedFiles(dir)).map((f) => path.basename(f))).not.toContain(sha256);
  });

  it('when the document key is destroyed, then its file cannot be read', async () => {
    const { ref } = await commit('clinic-1', 'doc-1');
    const text = await blobs.put('clinic-1', Buffer.from('{"pages":[]}'), 'doc-1');
    await encryption.destroyKeys('clinic-1', ['document:doc-1']);
    await expect(blobs.read('clinic-1', ref)).rejects.toBeInstanceOf(KeyDestroyedError);
    await expect(blobs.read('clinic-1', text)).rejects.toBeInstanceOf(KeyDestroyedError);
  });

  it('reads a file stored in the clear before blobs were sealed, by its old address', async () => {
    const sha256 = createHash('sha256').update(CONTENT).digest('hex');
    await mkdir(path.join(dir, 'clinic-1', sha256.slice(0, 2)), { recursive: true });
    await writeFile(path.join(dir, 'clinic-1', sha256.slice(0, 2), sha256), CONTENT);
    expect(await blobs.read('clinic-1', `sha256:${sha256}`)).toEqual(CONTENT);
  });

  it('leaves no staged or half-sealed file behind a commit', async () => {
    await commit('clinic-1', 'doc-1');
    await commit('clinic-1', 'doc-2');
    expect(await readdir(path.join(dir, '.staging'))).toEqual([]);
    expect((await storedFiles(dir)).filter((f) => f.endsWith('.sealing'))).toEqual([]);
  });
});
