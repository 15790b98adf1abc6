import { DocstreamError, notFound } from '../../infra/errors.ts';
import type { EventLog } from '../../infra/kafka/event-log.ts';
import { type Pool, type PoolClient, withTenant } from '../../infra/postgres.ts';
import type { DocumentRestored, DocumentTrashed, LogPosition } from '../../schemas/events.ts';
import { eventLogUnavailable } from '../errors.ts';
import { type EventStamp, newMetadata } from '../event-metadata.ts';

export interface TrashRequest {
  tenantId: string;
  documentId: string;
  actor: string;
  correlationId: string;
}

export interface Trash {
  /** Deletes a document into the trash: `DocumentTrashed`. */
  trash(request: TrashRequest & { reason: string | null }): Promise<LogPosition>;
  /** Takes it back out before retention erases it: `DocumentRestored`. */
  restore(request: TrashRequest): Promise<LogPosition>;
}

const alreadyTrashed = () =>
  new DocstreamError('conflict', 'DOCUMENT_ALREADY_TRASHED', 'the document is already deleted');
const notTrashed = () =>
  new DocstreamError('conflict', 'DOCUMENT_NOT_TRASHED', 'the document is not in the trash');

async function mustExist(db: PoolClient, tenantId: string, documentId: string) {
  const { rowCount } = await db.query(
    `SELECT 1 FROM documents d WHERE d.tenant_id = $1 AND d.document_id = $2
       AND NOT EXISTS (SELECT 1 FROM write_side.erasures e
         WHERE e.tenant_id = $1 AND e.subject = 'document:' || d.document_id)`,
    [tenantId, documentId],
  );
  if (rowCount === 0) throw notFound('DOCUMENT_NOT_FOUND', 'no such document for this tenant');
}

/**
 * Deleting and restoring documents. The trash row (write_side.document_trash) is the guard: it
 * is written in the transaction that appends the event, committed only once the log has it, so
 * deleting twice or restoring what is not deleted is a conflict whatever the read models show.
 * Retention holds the same row locked while it erases, so a restore waits for it and then finds
 * the document gone.
 */
export function createTrash(deps: { pool: Pool; eventLog: EventLog; stamp: EventStamp }): Trash {
  const append = async (event: DocumentTrashed | DocumentRestored) => {
    try {
      return await deps.eventLog.append(event);
    } catch (cause) {
      throw eventLogUnavailable(cause);
    }
  };
  const metadata = (request: TrashRequest, causationId: string | null = null) =>
    newMetadata(deps.stamp, {
      tenantId: request.tenantId,
      aggregateId: request.documentId,
      correlationId: request.correlationId,
      causationId,
      actor: request.actor,
    });

  return {
    trash: (request) =>
      withTenant(deps.pool, request.tenantId, async (db) => {
        await mustExist(db, request.tenantId, request.documentId);
        const event: DocumentTrashed = {
          type: 'DocumentTrashed',
          metadata: metadata(request),
          data: { principal: request.actor, reason: request.reason },
        };
        const { rowCount } = await db.query(
          `INSERT INTO write_side.document_trash
             (tenant_id, document_id, trashed_at, trashed_by, trashed_event_id)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, document_id) DO NOTHING`,
          [
            request.tenantId,
            request.documentId,
            new Date(event.metadata.occurredAt),
            request.actor,
            event.metadata.eventId,
          ],
        );
        if (rowCount === 0) throw alreadyTrashed();
        return append(event);
      }),
    restore: (request) =>
      withTenant(deps.pool, request.tenantId, async (db) => {
        await mustExist(db, request.tenantId, request.documentId);
        const { rows } = await db.query<{ trashed_event_id: string }>(
          `DELETE FROM write_side.document_trash WHERE tenant_id = $1 AND document_id = $2
           RETURNING trashed_event_id`,
          [request.tenantId, request.documentId],
        );
        const trashed = rows[0];
        if (!trashed) throw notTrashed();
        return append({
          type: 'DocumentRestored',
          metadata: metadata(request, trashed.trashed_event_id),
          data: { principal: request.actor, trashedEventId: trashed.trashed_event_id },
        });
      }),
  };
}
