import type { StagedBlob } from '../../infra/blobs/blob-store.ts';
import { DocstreamError } from '../../infra/errors.ts';
import { type Pool, withTenant } from '../../infra/postgres.ts';
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
 * Adds files to an open batch, each through the ordinary upload intake inside a transaction that
 * also holds the batch's row lock and counts the file, so the count always matches the files
 * accepted. A file the intake refuses gets its error code and does not stop the others.
 */
export function createAddFiles(deps: { pool: Pool; intake: UploadIntake }): AddFiles {
  return async ({ tenantId, batchId, files, fields, actor }) => {
    // An unknown or closed batch refuses the whole request.
    await withTenant(deps.pool, tenantId, (db) => lockOpenBatch(db, tenantId, batchId));
    // What this request added so far, which the usage a quota is checked against cannot show yet.
    const addedSoFar = { documents: 0, bytes: 0 };
    const addOne = (file: StagedFile) =>
      withTenant(deps.pool, tenantId, async (db) => {
        await lockOpenBatch(db, tenantId, batchId);
        const upload = parseUploadFields({ ...fields, tenantId, fileName: file.fileName });
        const accepted = await deps.intake({
          ...upload,
          staged: file.staged,
          actor,
          correlationId: batchId,
          batchId,
          within: db,
          acceptedBefore: { ...addedSoFar },
        });
        await db.query(
          `UPDATE write_side.batch_sessions SET file_count = file_count + 1
           WHERE tenant_id = $1 AND batch_id = $2`,
          [tenantId, batchId],
        );
        return accepted;
      });
    const results: FileResult[] = [];
    for (const file of files) {
      try {
        const { documentId, duplicateOf } = await addOne(file);
        addedSoFar.documents += 1;
        if (!duplicateOf) addedSoFar.bytes += file.staged.sizeBytes;
        results.push({ fileName: file.fileName, documentId, duplicateOf });
      } catch (error) {
        // Rolled back: nothing of this file is counted or recorded.
        if (!(error instanceof DocstreamError)) throw error;
        results.push({
          fileName: file.fileName,
          error: { code: error.code, message: error.message },
        });
      }
    }
    return results;
  };
}
