import { CONTAINER_MEDIA_TYPES } from '../../infra/blobs/media-type.ts';
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

interface DocumentRow {
  document_id: string;
  blob_ref: string;
  media_type: string;
  document_type_hint: string | null;
  export_document_type: string | null;
}

const COLUMNS = 'document_id, blob_ref, media_type, document_type_hint, export_document_type';

/**
 * Starts a new round of the chain on a document's stored bytes. The round number comes from the
 * write side's own counter, taken in the same transaction that appends the event, so concurrent
 * requests get distinct rounds and a refused append leaves the counter as it was.
 *
 * A zip or an e-mail is not opened again: its entries became documents of their own when it was
 * uploaded, and opening it again would make each a second time. Its new round is recorded, and
 * each child document gets a round of its own, caused by the container's; one quota check covers
 * them all. Each child's round is its own transaction, as if it had been asked for by itself: if
 * the log fails half-way, asking again gives every child one more round, none is made twice.
 */
export function createReprocessRequester(deps: {
  pool: Pool;
  eventLog: EventLog;
  now: () => number;
  newId: () => string;
  /** Refuses a reprocess over the tenant's OCR quota; none is checked without it. */
  checkQuota?: CheckReprocessQuota;
}): RequestReprocess {
  const append = async (
    request: ReprocessRequest,
    document: DocumentRow,
    causationId: string | null,
  ): Promise<{ round: number; position: LogPosition; eventId: string }> =>
    withTenant(deps.pool, request.tenantId, async (db) => {
      const counted = await db.query<{ round: number }>(
        `INSERT INTO write_side.document_rounds AS rounds (tenant_id, document_id, round)
         VALUES ($1, $2, 2)
         ON CONFLICT (tenant_id, document_id) DO UPDATE SET round = rounds.round + 1
         RETURNING round`,
        [request.tenantId, document.document_id],
      );
      const round = counted.rows[0]?.round ?? 2;
      const event = reprocessRequested(deps, request, document, round, causationId);
      try {
        return {
          round,
          position: await deps.eventLog.append(event),
          eventId: event.metadata.eventId,
        };
      } catch (cause) {
        throw eventLogUnavailable(cause);
      }
    });

  return async (request) => {
    const { tenantId, documentId } = request;
    const { document, children } = await withTenant(deps.pool, tenantId, async (db) => {
      const found = await db.query<DocumentRow>(
        `SELECT ${COLUMNS} FROM documents WHERE tenant_id = $1 AND document_id = $2`,
        [tenantId, documentId],
      );
      const row = found.rows[0];
      if (!row) throw notFound('DOCUMENT_NOT_FOUND', 'no such document for this tenant');
      if (!CONTAINER_MEDIA_TYPES.includes(row.media_type)) return { document: row, children: [] };
      const inside = await db.query<DocumentRow>(
        `SELECT ${COLUMNS} FROM documents WHERE tenant_id = $1 AND parent_document_id = $2
         ORDER BY entry_path, document_id`,
        [tenantId, documentId],
      );
      return { document: row, children: inside.rows };
    });
    await deps.checkQuota?.(
      tenantId,
      documentId,
      children.map((child) => child.document_id),
    );
    const container = await append(request, document, null);
    for (const child of children) await append(request, child, container.eventId);
    return { documentId, round: container.round, position: container.position };
  };
}

function reprocessRequested(
  stamp: { now: () => number; newId: () => string },
  request: ReprocessRequest,
  document: DocumentRow,
  round: number,
  causationId: string | null,
): DocumentReprocessRequested {
  const hint = uploadHint({
    documentTypeHint: document.document_type_hint,
    exportDocumentType: document.export_document_type,
  });
  return {
    type: 'DocumentReprocessRequested',
    metadata: newMetadata(stamp, {
      tenantId: request.tenantId,
      aggregateId: document.document_id,
      correlationId: request.correlationId,
      causationId,
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
}
