import { DocstreamError } from '../../infra/errors.ts';
import { type Pool, withTransaction } from '../../infra/postgres.ts';
import type { StagedBlob } from '../blobs/blob-store.ts';
import { parseUploadFields } from '../upload/fields.ts';
import type { UploadIntake } from '../upload/intake.ts';
import { lockOpenBatch } from './sessions.ts';

export interface StagedFile {
  fileName: string;
  staged: StagedBlob;
}

export interface AddFilesRequest {
  tenantId: string;
  batchId: string;
  files: readonly StagedFile[];
  /** Form fields that apply to every file: `externalPatientId`, `documentTypeHint`. */
  fields: Record<string, string>;
  actor: string;
}

export type FileResult =
  | { fileName: string; documentId: string; duplicateOf: string | null }
  | { fileName: string; error: { code: string; message: string } };

export type AddFiles = (request: AddFilesRequest) => Promise<FileResult[]>;

/**
 * Adds files to an open batch, each through the ordinary upload intake, under the batch's row
 * lock. A file the intake refuses gets its error code and does not stop the others; the
 * session's count grows by the files accepted.
 *
 * The intake commits each document on its own, so a crash between an accepted file and this
 * transaction's commit would leave the count one short.
 */
export function createAddFiles(deps: { pool: Pool; intake: UploadIntake }): AddFiles {
  return ({ tenantId, batchId, files, fields, actor }) =>
    withTransaction(deps.pool, async (db) => {
      await lockOpenBatch(db, tenantId, batchId);
      const results: FileResult[] = [];
      for (const { fileName, staged } of files) {
        try {
          const upload = parseUploadFields({ ...fields, tenantId, fileName });
          const accepted = await deps.intake({
            ...upload,
            staged,
            actor,
            correlationId: batchId,
            batchId,
          });
          results.push({
            fileName,
            documentId: accepted.documentId,
            duplicateOf: accepted.duplicateOf,
          });
        } catch (error) {
          if (!(error instanceof DocstreamError)) throw error;
          results.push({ fileName, error: { code: error.code, message: error.message } });
        }
      }
      const accepted = results.filter((r) => 'documentId' in r).length;
      await db.query(
        `UPDATE batch_sessions SET file_count = file_count + $3
         WHERE tenant_id = $1 AND batch_id = $2`,
        [tenantId, batchId, accepted],
      );
      return results;
    });
}
