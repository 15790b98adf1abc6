import type { BatchEvent, DocumentUploaded } from '../../schemas/events.ts';
import { assertNever, type Projection, type SqlStatement, sql } from '../runtime/projection.ts';

export const BATCH_STATUSES = ['open', 'closed', 'completed'] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

/** Each batch with its state and completion counts, and which documents arrived in it. */
export const batchesProjection: Projection = {
  name: 'batches',
  canHandle: ['BatchOpened', 'BatchClosed', 'BatchCompleted', 'DocumentUploaded'],
  handle: (event) =>
    event.type === 'DocumentUploaded'
      ? batchFileStatements(event)
      : batchStatements(event as BatchEvent),
};

function batchFileStatements(event: DocumentUploaded): SqlStatement[] {
  const { batchId, fileName } = event.data;
  if (!batchId) return [];
  const { tenantId, aggregateId, occurredAt } = event.metadata;
  return [
    sql(
      `INSERT INTO batch_files (tenant_id, batch_id, document_id, file_name, added_at)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
      tenantId,
      batchId,
      aggregateId,
      fileName,
      new Date(occurredAt),
    ),
  ];
}

function batchStatements(event: BatchEvent): SqlStatement[] {
  const { tenantId, aggregateId, occurredAt } = event.metadata;
  const at = new Date(occurredAt);
  switch (event.type) {
    case 'BatchOpened':
      return [
        sql(
          `INSERT INTO batches (tenant_id, batch_id, name, status, opened_at)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
          tenantId,
          aggregateId,
          event.data.name,
          'open' satisfies BatchStatus,
          at,
        ),
      ];
    case 'BatchClosed':
      return [
        sql(
          `UPDATE batches SET status = $3, file_count = $4, closed_at = $5
           WHERE tenant_id = $1 AND batch_id = $2 AND status = 'open'`,
          tenantId,
          aggregateId,
          'closed' satisfies BatchStatus,
          event.data.fileCount,
          at,
        ),
      ];
    case 'BatchCompleted': {
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
          at,
          d.processed,
          d.failed,
          d.matched,
          d.created,
          d.inReview,
        ),
      ];
    }
    default:
      return assertNever(event);
  }
}
