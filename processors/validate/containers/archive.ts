import path from 'node:path';
import type { BlobStore } from '../../../infra/blobs/blob-store.ts';
import { type DocumentUploaded, roundOf } from '../../../schemas/events.ts';
import type { Draft } from '../../runtime/processor.ts';
import { expandContainer } from './expand.ts';
import { type ArchiveLimits, DEFAULT_ARCHIVE_LIMITS } from './limits.ts';

/** The blob store as expanding needs it: read the archive, stage entries, store the children. */
export type ContainerBlobs = Pick<BlobStore, 'open' | 'stage' | 'commit' | 'discard'>;

export interface ContainerDeps {
  blobs: ContainerBlobs;
  newId: () => string;
  limits?: Partial<ArchiveLimits>;
}

/**
 * Opens an uploaded zip or e-mail and decides its children: a DocumentUploaded for each accepted
 * entry (its own id, this document as parent, the upload's batch and hints) and ArchiveExpanded
 * for the archive. The children's blobs are stored before the decision is returned, so they are
 * in place when the runtime commits the events with the consumed offset in one transaction. A
 * retry after a crash stores the same bytes at the same addresses again; refused entries are
 * never stored.
 */
export async function expandArchive(
  event: DocumentUploaded,
  deps: ContainerDeps,
): Promise<Draft[]> {
  const limits = { ...DEFAULT_ARCHIVE_LIMITS, ...deps.limits };
  const { tenantId, aggregateId } = event.metadata;
  const upload = event.data;
  // The reader needs random access; the archive is bounded by the upload limit.
  const copy = await deps.blobs.stage(
    deps.blobs.open(tenantId, upload.blobRef),
    Number.MAX_SAFE_INTEGER,
  );
  let expansion: Awaited<ReturnType<typeof expandContainer>>;
  try {
    expansion = await expandContainer(
      { path: copy.path, mediaType: upload.mediaType, sizeBytes: copy.sizeBytes },
      deps.blobs,
      limits,
    );
  } catch (error) {
    return [
      {
        type: 'DocumentRejected',
        data: {
          round: roundOf(event),
          reason: 'ARCHIVE_UNREADABLE',
          message: `the ${upload.mediaType === 'message/rfc822' ? 'e-mail' : 'archive'} could not be read (${error instanceof Error ? error.message : String(error)})`,
        },
      },
    ];
  } finally {
    await deps.blobs.discard(copy);
  }

  const children: Draft[] = [];
  const accepted: { entryPath: string; documentId: string }[] = [];
  const pending = [...expansion.accepted];
  try {
    while (pending.length > 0) {
      const entry = pending[0];
      if (!entry) break;
      const { ref } = await deps.blobs.commit(entry.staged, tenantId);
      pending.shift();
      const documentId = deps.newId();
      accepted.push({ entryPath: entry.entryPath, documentId });
      children.push({
        type: 'DocumentUploaded',
        aggregateId: documentId,
        data: {
          fileName: path.posix.basename(entry.entryPath),
          mediaType: entry.mediaType,
          sizeBytes: entry.staged.sizeBytes,
          sha256: entry.staged.sha256,
          blobRef: ref,
          externalPatientId: upload.externalPatientId,
          documentTypeHint: upload.documentTypeHint,
          duplicateOf: null,
          exportName: null,
          batchId: upload.batchId,
          parentDocumentId: aggregateId,
          entryPath: entry.entryPath,
        },
      });
    }
  } finally {
    await Promise.all(pending.map((entry) => deps.blobs.discard(entry.staged)));
  }
  return [
    ...children,
    {
      type: 'ArchiveExpanded',
      data: { round: roundOf(event), accepted, rejected: expansion.rejected },
    },
  ];
}
