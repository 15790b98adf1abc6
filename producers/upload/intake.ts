import type { BlobStore, StagedBlob } from '../../infra/blobs/blob-store.ts';
import { type AllowedMediaType, detectMediaType, refusalOf } from '../../infra/blobs/media-type.ts';
import { DocstreamError, invalid } from '../../infra/errors.ts';
import type { EventLog } from '../../infra/kafka/event-log.ts';
import { type Pool, type PoolClient, withTenant } from '../../infra/postgres.ts';
import type { DocumentUploaded, LogPosition } from '../../schemas/events.ts';
import { eventLogUnavailable } from '../errors.ts';
import { newMetadata } from '../event-metadata.ts';
import type { CheckUploadQuota } from '../quotas/guard.ts';
import { parseExportName } from './export-name.ts';
import type { UploadFields } from './fields.ts';

export interface UploadRequest extends UploadFields {
  staged: StagedBlob;
  actor: string;
  correlationId: string;
  batchId?: string | null;
  /** The caller's open transaction, when what it writes must commit with the upload's rows. */
  within?: PoolClient;
  /** Uploads of the same request accepted before this one, which usage cannot show yet. */
  acceptedBefore?: { documents: number; bytes: number };
}

export interface UploadAccepted {
  documentId: string;
  duplicateOf: string | null;
  mediaType: AllowedMediaType;
  sha256: string;
  position: LogPosition;
}

export interface IntakeDeps {
  blobs: BlobStore;
  eventLog: EventLog;
  pool: Pool;
  now: () => number;
  newId: () => string;
  /** Refuses an upload over the tenant's quotas; none are checked without it. */
  checkQuota?: CheckUploadQuota;
  /** The tenant's keyed address of content with this SHA-256 (the encryption port's). */
  contentAddress: (tenantId: string, sha256: string) => string;
}

export type UploadIntake = (request: UploadRequest) => Promise<UploadAccepted>;

/**
 * Turns staged bytes into a document: checks the content and the tenant's quotas, puts the blob
 * at its address and appends `DocumentUploaded`. Uploads of the same content by one tenant are
 * serialised by an advisory lock, so a repeat is always seen and recorded as `duplicateOf` the
 * first.
 */
export function createUploadIntake(deps: IntakeDeps): UploadIntake {
  return async (request) => {
    const { staged, tenantId } = request;
    if (staged.sizeBytes === 0) throw invalid('EMPTY_FILE', 'the file is empty');
    const mediaType = await detectMediaType(staged);
    if (!mediaType) {
      const { code, message } = await refusalOf(staged);
      throw new DocstreamError('unsupported-media', code, message);
    }

    const { within } = request;
    const transaction = <T>(work: (db: PoolClient) => Promise<T>) =>
      within ? work(within) : withTenant(deps.pool, tenantId, work);
    // What is kept is the tenant's keyed address of the content, never its plain SHA-256;
    // rows written before hold the plain one, and are still found by it.
    const address = deps.contentAddress(tenantId, staged.sha256);
    return transaction(async (db) => {
      await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `${tenantId}/${address}`,
      ]);
      const { rows } = await db.query<{ document_id: string }>(
        `SELECT document_id FROM write_side.intake_contents
         WHERE tenant_id = $1 AND sha256 IN ($2, $3)`,
        [tenantId, address, staged.sha256],
      );
      const duplicateOf = rows[0]?.document_id ?? null;
      // Before the blob is put in place: a refused upload leaves nothing but its staged file.
      await deps.checkQuota?.(tenantId, {
        documents: 1 + (request.acceptedBefore?.documents ?? 0),
        // A repeat of the tenant's content stores nothing new.
        bytes: (duplicateOf ? 0 : staged.sizeBytes) + (request.acceptedBefore?.bytes ?? 0),
      });
      const documentId = deps.newId();
      const { ref, created } = await deps.blobs.commit(staged, tenantId, documentId);
      const event: DocumentUploaded = {
        type: 'DocumentUploaded',
        metadata: newMetadata(deps, {
          tenantId,
          aggregateId: documentId,
          correlationId: request.correlationId,
          actor: request.actor,
        }),
        data: {
          fileName: request.fileName,
          mediaType,
          sizeBytes: staged.sizeBytes,
          sha256: staged.sha256,
          blobRef: ref,
          externalPatientId: request.externalPatientId,
          documentTypeHint: request.documentTypeHint,
          duplicateOf,
          exportName: parseExportName(request.fileName),
          batchId: request.batchId ?? null,
          parentDocumentId: null,
          entryPath: null,
        },
      };
      let position: LogPosition;
      try {
        position = await deps.eventLog.append(event);
      } catch (cause) {
        // No event, no document: take back a blob that only this upload put there.
        if (created) await deps.blobs.remove(tenantId, ref);
        throw eventLogUnavailable(cause);
      }
      if (!duplicateOf) {
        await db.query(
          `INSERT INTO write_side.intake_contents (tenant_id, sha256, document_id)
           VALUES ($1, $2, $3)`,
          [tenantId, address, documentId],
        );
      }
      return { documentId, duplicateOf, mediaType, sha256: staged.sha256, position };
    });
  };
}
