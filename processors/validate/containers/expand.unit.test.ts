import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BlobStore, createFileBlobStore } from '../../../infra/blobs/blob-store.ts';
import {
  emailOf,
  nestedBomb,
  nestedZips,
  type ZipEntry,
  zipOf,
} from '../../../test/fixtures/archives.ts';
import { textPdf } from '../../../test/fixtures/files.ts';
import { memoryEncryption } from '../../../test/support/memory-keys.ts';
import { type Expansion, expandContainer } from './expand.ts';
import { type ArchiveLimits, DEFAULT_ARCHIVE_LIMITS } from './limits.ts';

const MiB = 1024 * 1024;

describe('opening zips and e-mails within limits', () => {
  let dir: string;
  let blobs: BlobStore;
  const stagingDir = () => path.join(dir, '.staging');

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'docstream-containers-'));
    blobs = createFileBlobStore(dir, memoryEncryption());
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const expand = async (
    bytes: Buffer,
    limits: Partial<ArchiveLimits> = {},
    mediaType = 'application/zip',
  ): Promise<Expansion> => {
    const staged = await blobs.stage(Readable.from([bytes]), Number.MAX_SAFE_INTEGER);
    try {
      return await expandContainer(
        { path: staged.path, mediaType, sizeBytes: staged.sizeBytes },
        blobs,
        { ...DEFAULT_ARCHIVE_LIMITS, ...limits },
      );
    } finally {
      await blobs.discard(staged);
    }
  };
  const stagedFiles = async () => (await readdir(stagingDir()).catch(() => [])).length;
  const reasons = (expansion: Expansion) =>
    Object.fromEntries(expansion.rejected.map((r) => [r.entryPath, r.reason]));

  it('takes the documents and refuses unsafe, linked and encrypted entries, the rest going on', async () => {
    const entries: ZipEntry[] = [
      { name: 'scans/lab.pdf', data: await textPdf(['Glucosa 126 mg/dL']) },
      { name: '../../etc/cron.d/evil.txt', data: 'escape' },
      { name: '/etc/passwd', data: 'absolute' },
      { name: 'link-to-secrets', data: '/etc/shadow', unixMode: 0o120777 },
      { name: 'locked.pdf', data: await textPdf(['secret']), encrypted: true },
      { name: 'notes/summary.txt', data: 'Resumen de alta: paciente estable.\n' },
      { name: 'program.exe', data: Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x01]) },
      { name: 'empty.txt', data: '' },
    ];
    const expansion = await expand(await zipOf(entries));
    expect(expansion.accepted.map((a) => [a.entryPath, a.mediaType])).toEqual([
      ['scans/lab.pdf', 'application/pdf'],
      ['notes/summary.txt', 'text/plain'],
    ]);
    expect(reasons(expansion)).toEqual({
      '../../etc/cron.d/evil.txt': 'ARCHIVE_ENTRY_PATH_UNSAFE',
      '/etc/passwd': 'ARCHIVE_ENTRY_PATH_UNSAFE',
      'link-to-secrets': 'ARCHIVE_ENTRY_SYMLINK',
      'locked.pdf': 'ARCHIVE_ENTRY_ENCRYPTED',
      'program.exe': 'UNSUPPORTED_MEDIA_TYPE',
      'empty.txt': 'EMPTY_FILE',
    });
    // Only the accepted children are left staged.
    expect(await stagedFiles()).toBe(2);
  });

  it('stops reading past the entry limit and says so once', async () => {
    const entries = Array.from({ length: 6 }, (_, i) => ({ name: `n${i}.txt`, data: `nota ${i}` }));
    const expansion = await expand(await zipOf(entries), { maxEntries: 4 });
    expect(expansion.accepted.map((a) => a.entryPath)).toEqual([
      'n0.txt',
      'n1.txt',
      'n2.txt',
      'n3.txt',
    ]);
    expect(expansion.rejected).toEqual([
      expect.objectContaining({ entryPath: 'n4.txt', reason: 'ARCHIVE_LIMIT_EXCEEDED' }),
    ]);
  });

  it('cuts an entry off when the expanded bytes pass the limit, whatever the directory says', async () => {
    const big = Buffer.from('0123456789abcdef'.repeat(256 * 1024)); // 4 MiB of text
    const expansion = await expand(
      await zipOf([
        { name: 'small.txt', data: 'primera nota' },
        { name: 'big.txt', data: big },
        { name: 'after.txt', data: 'tercera nota' },
      ]),
      { maxExpandedBytes: 1 * MiB, maxRatio: 1_000_000 },
    );
    expect(expansion.accepted.map((a) => a.entryPath)).toEqual(['small.txt']);
    expect(reasons(expansion)).toEqual({
      'big.txt': 'ARCHIVE_LIMIT_EXCEEDED',
      'after.txt': 'ARCHIVE_LIMIT_EXCEEDED',
    });
    // Inflating stopped within a chunk of the limit, and nothing of the cut entry stayed.
    expect(expansion.usage.expandedBytes).toBeLessThan(1 * MiB + 128 * 1024);
    expect(expansion.usage.peakStagedBytes).toBeLessThan(1 * MiB + 128 * 1024);
    expect(await stagedFiles()).toBe(1);
  });

  it('cuts an entry off that inflates past the ratio', async () => {
    const expansion = await expand(
      await zipOf([{ name: 'blanks.txt', data: Buffer.alloc(16 * MiB, 0x20) }]),
      { maxRatio: 100 },
    );
    expect(expansion.accepted).toEqual([]);
    expect(expansion.rejected).toEqual([
      expect.objectContaining({ entryPath: 'blanks.txt', reason: 'ARCHIVE_LIMIT_EXCEEDED' }),
    ]);
    expect(expansion.rejected[0]?.message).toMatch(/100 times/);
    expect(expansion.usage.expandedBytes).toBeLessThan(4 * MiB);
  });

  it('opens nested zips down to the depth limit and no further', async () => {
    const leaf = { name: 'doc.txt', data: 'informe anidado' };
    const within = await expand(await nestedZips(2, leaf), { maxDepth: 2 });
    expect(within.accepted.map((a) => a.entryPath)).toEqual(['level-1.zip/level-2.zip/doc.txt']);
    const deeper = await expand(await nestedZips(3, leaf), { maxDepth: 2 });
    expect(deeper.accepted).toEqual([]);
    expect(deeper.rejected).toEqual([
      expect.objectContaining({
        entryPath: 'level-1.zip/level-2.zip/level-3.zip',
        reason: 'ARCHIVE_LIMIT_EXCEEDED',
        message: 'containers nest more than 2 deep',
      }),
    ]);
  });

  it('survives a 42.zip-like bomb with bounded memory and staging', async () => {
    // 16 × 16 copies of 64 MiB of zeros: 16 GiB claimed by a few hundred kilobytes.
    const bomb = await nestedBomb({ leafBytes: 64 * MiB, copies: 16, layers: 3 });
    const limits = { maxExpandedBytes: 64 * MiB };
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    let peakStagingBytes = 0;
    const sampler = setInterval(async () => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      const names = await readdir(stagingDir()).catch(() => []);
      const sizes = await Promise.all(
        names.map((n) =>
          stat(path.join(stagingDir(), n)).then(
            (s) => s.size,
            () => 0,
          ),
        ),
      );
      peakStagingBytes = Math.max(
        peakStagingBytes,
        sizes.reduce((a, b) => a + b, 0),
      );
    }, 2);
    const started = performance.now();
    const expansion = await expand(bomb, limits).finally(() => clearInterval(sampler));
    const ms = performance.now() - started;
    console.log(
      `archive bomb: ${bomb.length} bytes claiming ${16 * 16 * 64} MiB; inflated ` +
        `${(expansion.usage.expandedBytes / MiB).toFixed(1)} MiB in ${ms.toFixed(0)} ms; ` +
        `peak staged ${(expansion.usage.peakStagedBytes / MiB).toFixed(1)} MiB counted, ` +
        `${(peakStagingBytes / MiB).toFixed(1)} MiB seen on disk; peak RSS ` +
        `${(peakRss / MiB).toFixed(0)} MiB (+${((peakRss - rssBefore) / MiB).toFixed(0)} MiB)`,
    );
    expect(expansion.accepted).toEqual([]);
    expect(expansion.rejected.length).toBeGreaterThan(0);
    expect(expansion.rejected.every((r) => r.reason === 'ARCHIVE_LIMIT_EXCEEDED')).toBe(true);
    expect(expansion.usage.expandedBytes).toBeLessThanOrEqual(64 * MiB + 128 * 1024);
    expect(expansion.usage.peakStagedBytes).toBeLessThan(80 * MiB);
    expect(peakStagingBytes).toBeLessThan(80 * MiB);
    expect(peakRss - rssBefore).toBeLessThan(200 * MiB);
    expect(await stagedFiles()).toBe(0);
  });

  it('opens an e-mail into its body and its attachments', async () => {
    const pdf = await textPdf(['Resultados de laboratorio']);
    const expansion = await expand(
      emailOf({
        subject: 'Resultados 88123',
        html: '<p>Adjunto los <b>resultados</b> de la paciente.</p>',
        attachments: [
          { fileName: 'resultados.pdf', contentType: 'application/pdf', data: pdf },
          {
            fileName: 'firma.bin',
            contentType: 'application/octet-stream',
            data: Buffer.from([0, 1, 2, 255]),
          },
          { fileName: '../fuera.txt', contentType: 'text/plain', data: Buffer.from('x') },
        ],
      }),
      {},
      'message/rfc822',
    );
    expect(expansion.accepted.map((a) => [a.entryPath, a.mediaType])).toEqual([
      ['body.txt', 'text/plain'],
      ['resultados.pdf', 'application/pdf'],
    ]);
    expect(reasons(expansion)).toEqual({
      'firma.bin': 'UNSUPPORTED_MEDIA_TYPE',
      '../fuera.txt': 'ARCHIVE_ENTRY_PATH_UNSAFE',
    });
    const body = expansion.accepted[0];
    expect(body?.staged.head.toString('utf8')).toMatch(/Adjunto los resultados de la paciente/i);
  });

  it('throws for a file that is no zip, leaving nothing staged', async () => {
    await expect(expand(Buffer.from('PK\u0003\u0004 not really a zip'))).rejects.toThrow();
    expect(await stagedFiles()).toBe(0);
  });
});
