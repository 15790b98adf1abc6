import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BlobStore, createFileBlobStore } from '../../../infra/blobs/blob-store.ts';
import { zipOf } from '../../../test/fixtures/archives.ts';
import { textPdf } from '../../../test/fixtures/files.ts';
import { documentUploaded } from '../../../test/support/events.ts';
import { memoryEncryption } from '../../../test/support/memory-keys.ts';
import { expandArchive } from './archive.ts';

describe('an uploaded archive, decided', () => {
  let dir: string;
  let blobs: BlobStore;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'docstream-archive-'));
    blobs = createFileBlobStore(dir, memoryEncryption());
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const uploadedZip = async (bytes: Buffer, batchId: string | null = null) => {
    const staged = await blobs.stage(Readable.from([bytes]), Number.MAX_SAFE_INTEGER);
    const { ref } = await blobs.commit(staged, 'tenant-a', 'zip-document');
    return documentUploaded({
      metadata: { tenantId: 'tenant-a' },
      data: {
        fileName: 'envio.zip',
        mediaType: 'application/zip',
        blobRef: ref,
        sha256: staged.sha256,
        sizeBytes: staged.sizeBytes,
        batchId,
        exportName: null,
      },
    });
  };

  it('stores the accepted children, uploads each under the archive and lists the refused', async () => {
    const pdf = await textPdf(['Informe de alta']);
    const batchId = randomUUID();
    const event = await uploadedZip(
      await zipOf([
        { name: 'alta.pdf', data: pdf },
        { name: '../fuera.txt', data: 'x' },
      ]),
      batchId,
    );
    const drafts = await expandArchive(event, { blobs });
    expect(drafts.map((d) => d.type)).toEqual(['DocumentUploaded', 'ArchiveExpanded']);
    const [child, summary] = drafts;
    if (child?.type !== 'DocumentUploaded' || summary?.type !== 'ArchiveExpanded') {
      throw new Error('unexpected drafts');
    }
    expect(child.aggregateId).toBeDefined();
    expect(child.data).toMatchObject({
      fileName: 'alta.pdf',
      mediaType: 'application/pdf',
      sizeBytes: pdf.length,
      parentDocumentId: event.metadata.aggregateId,
      entryPath: 'alta.pdf',
      batchId,
      externalPatientId: event.data.externalPatientId,
    });
    expect(await blobs.read('tenant-a', child.data.blobRef)).toEqual(pdf);
    expect(summary.data).toEqual({
      round: 1,
      accepted: [{ entryPath: 'alta.pdf', documentId: child.aggregateId }],
      rejected: [
        expect.objectContaining({ entryPath: '../fuera.txt', reason: 'ARCHIVE_ENTRY_PATH_UNSAFE' }),
      ],
    });
    // Nothing of the refused entry, nor of the archive's working copy, is left behind.
    expect(await readdir(path.join(dir, '.staging'))).toEqual([]);
  });

  it('rejects an archive that cannot be read', async () => {
    const event = await uploadedZip(Buffer.from('PK\u0003\u0004 truncated'));
    const drafts = await expandArchive(event, { blobs });
    expect(drafts).toEqual([
      {
        type: 'DocumentRejected',
        data: expect.objectContaining({ round: 1, reason: 'ARCHIVE_UNREADABLE' }),
      },
    ]);
    expect(await readdir(path.join(dir, '.staging'))).toEqual([]);
  });
});
