import type { DocumentUploaded } from '../../schemas/events.ts';
import { defineProjection, type SqlStatement, sql } from '../runtime/projection.ts';

export const BATCH_STATUSES = ['open', 'closed', 'completed'] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

/** Each batch with its state and completion counts, and which documents arrived in it. */
export const batchesProjection = defineProjection({
  name: 'batches',
  handlers: {
    BatchOpened: (event) => [
      sql(
        `INSERT INTO batches (tenant_id, batch_id, name, status, opened_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
        event.metadata.tenantId,
        event.metadata.aggregateId,
        event.data.name,
        'open' satisfies BatchStatus,
        new Date(event.metadata.occurredAt),
      ),
    ],
    BatchClosed: (event) => [
      sql(
        `UPDATE batches SET status = $3, file_count = $4, closed_at = $5
         WHERE tenant_id = $1 AND batch_id = $2 AND status = 'open'`,
        event.metadata.tenantId,
        event.metadata.aggregateId,
        'closed' satisfies BatchStatus,
        event.data.fileCount,
        new Date(event.metadata.occurredAt),
      ),
    ],
    BatchCompleted: (event) => {
      const { tenantId, aggregateId, occurredAt } = event.metadata;
      const d = event.data;
      return [
        sql(
          `UPDATE batches SET status = $3, file_count = $4, completed_at = $5, processed = $6,
             failed = $7, matched = $8, created = $9, in_review = $10
           WHERE tenant_id = $1 AND batch_id = $2`,
          tenantId,
          aggregateId,
          'completed' satisfies BatchStatus,
          d.fileCount,
          new Date(occurredAt),
          d.processed,
          d.failed,
          d.matched,
          d.created,
          d.inReview,
        ),
      ];
    },
    DocumentUploaded: batchFileStatements,
    // A file name may name the patient: the file stays counted, its name goes.
    DocumentErased: (event) => [
      sql(
        `UPDATE batch_files SET file_name = '' WHERE tenant_id = $1 AND document_id = $2`,
        event.metadata.tenantId,
        event.metadata.aggregateId,
      ),
    ],
  },
});

function batchFileStatements(event: DocumentUploaded): SqlStatement[] {
  const { batchId, fileName, parentDocumentId } = event.data;
  if (!batchId) return [];
  const { tenantId, aggregateId, occurredAt } = event.metadata;
  return [
    sql(
      `INSERT INTO batch_files (tenant_id, batch_id, document_id, file_name, added_at,
         parent_document_id)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
      tenantId,
      batchId,
      aggregateId,
      fileName,
      new Date(occurredAt),
      parentDocumentId ?? null,
    ),
  ];
}
