import { notFound } from '../../infra/errors.ts';
import type { EventLog } from '../../infra/kafka/event-log.ts';
import { type Pool, withTenant } from '../../infra/postgres.ts';
import {
  type DocumentReprocessRequested,
  type LogPosition,
  uploadHint,
} from '../../schemas/events.ts';
import { eventLogUnavailable } from '../errors.ts';
import { newMetadata } from '../event-metadata.ts';
import type { CheckReprocessQuota } from '../quotas/guard.ts';

export interface ReprocessRequest {
  tenantId: string;
  documentId: string;
  reason: string | null;
  actor: string;
  correlationId: string;
}

export interface ReprocessAccepted {
  documentId: string;
  round: number;
  position: LogPosition;
}

export type RequestReprocess = (request: ReprocessRequest) => Promise<ReprocessAccepted>;

/**
 * Starts a new round of the chain on a document's stored bytes. The round number comes from the
 * write side's own counter, taken in the same transaction that appends the event, so concurrent
 * requests get distinct rounds and a refused append leaves the counter as it was.
 */
export function createReprocessRequester(deps: {
  pool: Pool;
  eventLog: EventLog;
  now: () => number;
  newId: () => string;
  /** Refuses a reprocess over the tenant's OCR quota; none is checked without it. */
  checkQuota?: CheckReprocessQuota;
}): RequestReprocess {
  return (request) =>
    withTenant(deps.pool, request.tenantId, async (db) => {
      const { rows } = await db.query<{
        blob_ref: string;
        media_type: string;
        document_type_hint: string | null;
        export_document_type: string | null;
      }>(
        `SELECT blob_ref, media_type, document_type_hint, export_document_type FROM documents
         WHERE tenant_id = $1 AND document_id = $2`,
        [request.tenantId, request.documentId],
      );
      const document = rows[0];
      if (!document) throw notFound('DOCUMENT_NOT_FOUND', 'no such document for this tenant');
      await deps.checkQuota?.(request.tenantId, request.documentId);
      const counted = await db.query<{ round: number }>(
        `INSERT INTO write_side.document_rounds AS rounds (tenant_id, document_id, round)
         VALUES ($1, $2, 2)
         ON CONFLICT (tenant_id, document_id) DO UPDATE SET round = rounds.round + 1
         RETURNING round`,
        [request.tenantId, request.documentId],
      );
      const round = counted.rows[0]?.round ?? 2;
      const hint = uploadHint({
        documentTypeHint: document.document_type_hint,
        exportDocumentType: document.export_document_type,
      });
      const event: DocumentReprocessRequested = {
        type: 'DocumentReprocessRequested',
        metadata: newMetadata(deps, {
          tenantId: request.tenantId,
          aggregateId: request.documentId,
          correlationId: request.correlationId,
          actor: request.actor,
        }),
        data: {
          round,
          reason: request.reason,
          mediaType: document.media_type,
          blobRef: document.blob_ref,
          hint,
        },
      };
      try {
        return {
          documentId: request.documentId,
          round,
          position: await deps.eventLog.append(event),
        };
      } catch (cause) {
        throw eventLogUnavailable(cause);
      }
    });
}
