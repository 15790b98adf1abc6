import { createHash } from 'node:crypto';
import path from 'node:path';
import type { BlobStore } from '../../../infra/blobs/blob-store.ts';
import type { DocumentUploaded, ExportName } from '../../../schemas/events.ts';
import type { AcceptedEntry, RejectedEntry } from './context.ts';

/**
 * What the upload path knows that a child must be checked against too: the tenant's documents
 * with the same bytes, its quotas, and what a hospital export's file name says.
 */
export interface ChildIntake {
  /** The tenant's first document with these bytes, or null when there is none yet. */
  firstWith(tenantId: string, sha256: string): Promise<string | null>;
  /**
   * Records `documentId` as the first document with these bytes unless another one already is;
   * answers which one is. Recording the same id again changes nothing.
   */
  claim(tenantId: string, sha256: string, documentId: string): Promise<string>;
  /** Why these documents would pass one of the tenant's quotas; null when they fit. */
  overQuota(tenantId: string, upload: { documents: number; bytes: number }): Promise<string | null>;
  exportNameOf(fileName: string): ExportName | null;
}

/** A child document, its blob stored, ready to be announced. */
export interface AdmittedChild {
  documentId: string;
  entryPath: string;
  fileName: string;
  mediaType: string;
  sizeBytes: number;
  sha256: string;
  blobRef: string;
  duplicateOf: string | null;
  exportName: ExportName | null;
}

/**
 * A child's id follows from its container and its entry's path (a name-based UUID), so that a
 * retry of the same expansion decides the same ids: the first-document record a retry finds is
 * then its own, never one of a decision that was not committed.
 */
export function childDocumentId(containerId: string, entryPath: string): string {
  const hash = createHash('sha1').update(`${containerId}\0${entryPath}`).digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Takes the staged entries one by one as the upload path takes a file: a repeat of the tenant's
 * bytes is `duplicateOf` the first document with them, and each child counts against the quotas
 * (the container itself already did); a child past a quota is refused with `QUOTA_EXCEEDED` and
 * nothing of it is stored. Every staged entry not stored is discarded, whatever happens.
 */
export async function admitChildren(
  event: DocumentUploaded,
  staged: readonly AcceptedEntry[],
  deps: { blobs: Pick<BlobStore, 'commit' | 'discard'>; intake?: ChildIntake },
): Promise<{ children: AdmittedChild[]; refused: RejectedEntry[] }> {
  const { tenantId, aggregateId } = event.metadata;
  const { intake } = deps;
  const children: AdmittedChild[] = [];
  const refused: RejectedEntry[] = [];
  const added = { documents: 0, bytes: 0 };
  const pending = [...staged];
  try {
    for (let entry = pending[0]; entry; entry = pending[0]) {
      const { sha256, sizeBytes } = entry.staged;
      const known = (await intake?.firstWith(tenantId, sha256)) ?? null;
      // A repeat of the tenant's content stores nothing new.
      const bytes = known ? 0 : sizeBytes;
      const over = await intake?.overQuota(tenantId, {
        documents: added.documents + 1,
        bytes: added.bytes + bytes,
      });
      if (over) {
        pending.shift();
        await deps.blobs.discard(entry.staged);
        refused.push({ entryPath: entry.entryPath, reason: 'QUOTA_EXCEEDED', message: over });
        continue;
      }
      const documentId = childDocumentId(aggregateId, entry.entryPath);
      const { ref } = await deps.blobs.commit(entry.staged, tenantId, documentId);
      pending.shift();
      const first = intake ? await intake.claim(tenantId, sha256, documentId) : documentId;
      added.documents += 1;
      added.bytes += bytes;
      const fileName = path.posix.basename(entry.entryPath);
      children.push({
        documentId,
        entryPath: entry.entryPath,
        fileName,
        mediaType: entry.mediaType,
        sizeBytes,
        sha256,
        blobRef: ref,
        duplicateOf: first === documentId ? null : first,
        exportName: intake?.exportNameOf(fileName) ?? null,
      });
    }
  } finally {
    await Promise.all(pending.map((entry) => deps.blobs.discard(entry.staged)));
  }
  return { children, refused };
}
