import type { Queryable } from '../../infra/postgres.ts';
import { type BatchCounts, countFiles, type FileState, isComplete } from './progress.ts';
import type { BatchStatus } from './projection.ts';

export interface BatchFileView extends FileState {
  documentId: string;
  fileName: string;
  addedAt: string;
  statusReason: string | null;
  documentType: string | null;
  patientId: string | null;
  parentDocumentId: string | null;
  childrenAccepted: number | null;
}

export interface BatchView {
  batchId: string;
  tenantId: string;
  name: string | null;
  status: BatchStatus;
  /** The number of files the batch was closed with; null while it is open. */
  fileCount: number | null;
  openedAt: string;
  closedAt: string | null;
  completedAt: string | null;
  /** Counted now from the files' states. */
  counts: BatchCounts;
  /** What BatchCompleted recorded, once the batch is completed. */
  completion: Omit<BatchCounts, 'files' | 'pending'> | null;
  files: BatchFileView[];
}

interface BatchRow {
  name: string | null;
  status: BatchStatus;
  file_count: number | null;
  opened_at: Date;
  closed_at: Date | null;
  completed_at: Date | null;
  processed: number | null;
  failed: number | null;
  matched: number | null;
  created: number | null;
  in_review: number | null;
}

interface FileRow {
  document_id: string;
  file_name: string;
  added_at: Date;
  status: string | null;
  status_reason: string | null;
  document_type: string | null;
  match_status: string | null;
  patient_id: string | null;
  parent_document_id: string | null;
  children_accepted: number | null;
}

/** The files of a batch as far as the read models know them, in the order they were added. */
export async function batchFiles(
  db: Queryable,
  tenantId: string,
  batchId: string,
): Promise<BatchFileView[]> {
  const { rows } = await db.query<FileRow>(
    `SELECT f.document_id, f.file_name, f.added_at, d.status, d.status_reason, d.document_type,
       d.match_status, d.patient_id, f.parent_document_id, d.children_accepted
     FROM batch_files f
     LEFT JOIN documents d ON d.tenant_id = f.tenant_id AND d.document_id = f.document_id
     WHERE f.tenant_id = $1 AND f.batch_id = $2
     ORDER BY f.added_at, f.document_id`,
    [tenantId, batchId],
  );
  return rows.map((r) => ({
    documentId: r.document_id,
    fileName: r.file_name,
    addedAt: r.added_at.toISOString(),
    status: r.status,
    statusReason: r.status_reason,
    documentType: r.document_type,
    matchStatus: r.match_status,
    patientId: r.patient_id,
    parentDocumentId: r.parent_document_id,
    childrenAccepted: r.children_accepted,
  }));
}

export async function findBatch(
  db: Queryable,
  tenantId: string,
  batchId: string,
): Promise<BatchView | null> {
  const { rows } = await db.query<BatchRow>(
    `SELECT name, status, file_count, opened_at, closed_at, completed_at, processed, failed,
       matched, created, in_review
     FROM batches WHERE tenant_id = $1 AND batch_id = $2`,
    [tenantId, batchId],
  );
  const batch = rows[0];
  if (!batch) return null;
  const files = await batchFiles(db, tenantId, batchId);
  return {
    batchId,
    tenantId,
    name: batch.name,
    status: batch.status,
    fileCount: batch.file_count,
    openedAt: batch.opened_at.toISOString(),
    closedAt: batch.closed_at?.toISOString() ?? null,
    completedAt: batch.completed_at?.toISOString() ?? null,
    counts: countFiles(files),
    completion:
      batch.status === 'completed'
        ? {
            processed: batch.processed ?? 0,
            failed: batch.failed ?? 0,
            matched: batch.matched ?? 0,
            created: batch.created ?? 0,
            inReview: batch.in_review ?? 0,
          }
        : null,
    files,
  };
}

/** What `BatchCompleted` says of a closed batch, once all its files are terminal; else null. */
export async function completedBatchCounts(
  db: Queryable,
  tenantId: string,
  batchId: string,
  closedFileCount: number,
) {
  const files = await batchFiles(db, tenantId, batchId);
  if (!isComplete(closedFileCount, files)) return null;
  const { processed, failed, matched, created, inReview } = countFiles(files);
  return { processed, failed, matched, created, inReview };
}
