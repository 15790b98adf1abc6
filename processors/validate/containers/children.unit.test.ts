import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BlobStore, createFileBlobStore } from '../../../infra/blobs/blob-store.ts';
import { zipOf } from '../../../test/fixtures/archives.ts';
import { documentUploaded } from '../../../test/support/events.ts';
import { memoryEncryption } from '../../../test/support/memory-keys.ts';
import { expandArchive } from './archive.ts';
import { type ChildIntake, childDocumentId } from './children.ts';

const TENANT = 'tenant-a';
const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');

/** The upload path's view of the tenant, in memory: first documents by content, and quotas. */
function intakeOf(options: { known?: Record<string, string>; maxDocuments?: number }): ChildIntake {
  const first = new Map(Object.entries(options.known ?? {}));
  return {
    firstWith: async (_tenant, sha) => first.get(sha) ?? null,
    claim: async (_tenant, sha, documentId) => {
      if (!first.has(sha)) first.set(sha, documentId);
      return first.get(sha) as string;
    },
    overQuota: async (_tenant, { documents }) =>
      options.maxDocuments !== undefined && documents > options.maxDocuments
        ? `over the tenant's quota maxDocumentsPerDay of ${options.maxDocuments}`
        : null,
    exportNameOf: (fileName) =>
      fileName.startsWith('123456_')
        ? {
            recordNumber: '123456',
            surnames: 'PEREZ',
            givenNames: 'ANA',
            episode: '1',
            typeCode: 'LAB',
            documentType: 'lab-result',
          }
        : null,
  } as ChildIntake;
}

describe('children of a container, taken as the upload path takes files', () => {
  let dir: string;
  let blobs: BlobStore;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'docstream-children-'));
    blobs = createFileBlobStore(dir, memoryEncryption());
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const uploadedZip = async (bytes: Buffer) => {
    const staged = await blobs.stage(Readable.from([bytes]), Number.MAX_SAFE_INTEGER);
    const { ref } = await blobs.commit(staged, TENANT, 'zip-document');
    return documentUploaded({
      metadata: { tenantId: TENANT },
      data: { mediaType: 'application/zip', blobRef: ref, sha256: staged.sha256 },
    });
  };
  const storedBlobs = async () =>
    (await readdir(path.join(dir, TENANT), { recursive: true })).filter((f) => f.length > 3);

  it('marks a child that repeats a stored document as its duplicate, and names each by its entry', async () => {
    const event = await uploadedZip(
      await zipOf([
        { name: 'a/nota.txt', data: 'NOTA DE CONSULTA\n' },
        { name: 'b/123456_PEREZ, ANA_1_LAB.txt', data: 'Glucosa 110 mg/dL\n' },
        { name: 'c/copia.txt', data: 'NOTA DE CONSULTA\n' },
      ]),
    );
    const intake = intakeOf({ known: { [sha256('Glucosa 110 mg/dL\n')]: 'doc-earlier' } });
    const drafts = await expandArchive(event, { blobs, intake });
    const children = drafts.flatMap((d) => (d.type === 'DocumentUploaded' ? [d] : []));
    const byEntry = Object.fromEntries(children.map((c) => [c.data.entryPath, c]));
    const nota = byEntry['a/nota.txt'];
    expect(nota?.data).toMatchObject({ fileName: 'nota.txt', duplicateOf: null, exportName: null });
    expect(byEntry['b/123456_PEREZ, ANA_1_LAB.txt']?.data).toMatchObject({
      fileName: '123456_PEREZ, ANA_1_LAB.txt',
      duplicateOf: 'doc-earlier',
      exportName: { recordNumber: '123456', documentType: 'lab-result' },
    });
    // The second copy inside the same zip repeats the first one's bytes.
    expect(byEntry['c/copia.txt']?.data.duplicateOf).toBe(nota?.aggregateId);
  });

  it('refuses the children past the quota, storing nothing of them', async () => {
    const event = await uploadedZip(
      await zipOf([
        { name: 'uno.txt', data: 'primero\n' },
        { name: 'dos.txt', data: 'segundo\n' },
        { name: 'tres.txt', data: 'tercero\n' },
      ]),
    );
    const before = await storedBlobs();
    const drafts = await expandArchive(event, { blobs, intake: intakeOf({ maxDocuments: 1 }) });
    expect(drafts.filter((d) => d.type === 'DocumentUploaded')).toHaveLength(1);
    const summary = drafts.find((d) => d.type === 'ArchiveExpanded');
    expect(summary?.data).toMatchObject({
      accepted: [{ entryPath: 'uno.txt' }],
      rejected: [
        {
          entryPath: 'dos.txt',
          reason: 'QUOTA_EXCEEDED',
          message: expect.stringContaining('quota'),
        },
        { entryPath: 'tres.txt', reason: 'QUOTA_EXCEEDED' },
      ],
    });
    expect((await storedBlobs()).length).toBe(before.length + 1);
    expect(await readdir(path.join(dir, '.staging'))).toEqual([]);
  });

  it('decides the same child ids when the same expansion is decided again', async () => {
    const event = await uploadedZip(await zipOf([{ name: 'uno.txt', data: 'primero\n' }]));
    const ids = async () =>
      (await expandArchive(event, { blobs, intake: intakeOf({}) })).flatMap((d) =>
        d.type === 'DocumentUploaded' ? [d.aggregateId] : [],
      );
    const first = await ids();
    expect(first).toEqual([childDocumentId(event.metadata.aggregateId, 'uno.txt')]);
    expect(await ids()).toEqual(first);
    expect(childDocumentId(event.metadata.aggregateId, 'dos.txt')).not.toBe(first[0]);
    expect(first[0]).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
