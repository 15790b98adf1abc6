import type { BlobStore } from '../../../infra/blobs/blob-store.ts';
import { type DocumentUploaded, roundOf } from '../../../schemas/events.ts';
import type { Draft } from '../../runtime/processor.ts';
import { type AdmittedChild, admitChildren, type ChildIntake } from './children.ts';
import { expandContainer } from './expand.ts';
import { type ArchiveLimits, DEFAULT_ARCHIVE_LIMITS } from './limits.ts';

export type { ChildIntake } from './children.ts';

/** The blob store as expanding needs it: read the archive, stage entries, store the children. */
export type ContainerBlobs = Pick<BlobStore, 'open' | 'stage' | 'commit' | 'discard'>;

export interface ContainerDeps {
  blobs: ContainerBlobs;
  /** Duplicates and quotas, as the upload path sees them; without it neither is checked. */
  intake?: ChildIntake;
  limits?: Partial<ArchiveLimits>;
}

/**
 * Opens an uploaded zip or e-mail and decides its children: a DocumentUploaded for each accepted
 * entry (its own id, this document as parent, the upload's batch and hints; checked against the
 * tenant's documents and quotas as an upload is) and ArchiveExpanded for the archive. The
 * children's blobs are stored before the decision is returned, so they are in place when the
 * runtime commits the events with the consumed offset in one transaction. A retry after a crash
 * stores the same bytes at the same addresses again; refused entries are never stored.
 */
export async function expandArchive(
  event: DocumentUploaded,
  deps: ContainerDeps,
): Promise<Draft[]> {
  const limits = { ...DEFAULT_ARCHIVE_LIMITS, ...deps.limits };
  const { tenantId } = event.metadata;
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

  const { children, refused } = await admitChildren(event, expansion.accepted, deps);
  return [
    ...children.map((child) => childUploaded(event, child)),
    {
      type: 'ArchiveExpanded',
      data: {
        round: roundOf(event),
        accepted: children.map(({ entryPath, documentId }) => ({ entryPath, documentId })),
        rejected: [...expansion.rejected, ...refused],
      },
    },
  ];
}

/** A child's own upload: its entry's bytes, the container's batch and hints. */
function childUploaded(event: DocumentUploaded, child: AdmittedChild): Draft {
  const upload = event.data;
  return {
    type: 'DocumentUploaded',
    aggregateId: child.documentId,
    data: {
      fileName: child.fileName,
      mediaType: child.mediaType,
      sizeBytes: child.sizeBytes,
      sha256: child.sha256,
      blobRef: child.blobRef,
      externalPatientId: upload.externalPatientId,
      documentTypeHint: upload.documentTypeHint,
      duplicateOf: child.duplicateOf,
      exportName: child.exportName,
      batchId: upload.batchId,
      parentDocumentId: event.metadata.aggregateId,
      entryPath: child.entryPath,
    },
  };
}
