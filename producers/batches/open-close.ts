import { withTenant } from '../../infra/postgres.ts';
import type { BatchClosed, BatchOpened, LogPosition } from '../../schemas/events.ts';
import { newMetadata } from '../event-metadata.ts';
import { appendOrUnavailable, type BatchSessionDeps, lockOpenBatch } from './sessions.ts';

export interface OpenBatchRequest {
  tenantId: string;
  name: string | null;
  actor: string;
}

export interface CloseBatchRequest {
  tenantId: string;
  batchId: string;
  actor: string;
}

export type OpenBatch = (
  request: OpenBatchRequest,
) => Promise<{ batchId: string; position: LogPosition }>;
export type CloseBatch = (
  request: CloseBatchRequest,
) => Promise<{ fileCount: number; position: LogPosition }>;

/** Opens a batch: its session row and `BatchOpened`, both or neither. */
export function createOpenBatch(deps: BatchSessionDeps): OpenBatch {
  return ({ tenantId, name, actor }) =>
    withTenant(deps.pool, tenantId, async (db) => {
      const batchId = deps.newId();
      const event: BatchOpened = {
        type: 'BatchOpened',
        // A batch is its own correlation id: its events and its files' uploads carry it.
        metadata: newMetadata(deps, {
          tenantId,
          aggregateId: batchId,
          correlationId: batchId,
          actor,
        }),
        data: { name },
      };
      await db.query(
        `INSERT INTO write_side.batch_sessions (tenant_id, batch_id, status, opened_at)
         VALUES ($1, $2, 'open', $3)`,
        [tenantId, batchId, new Date(event.metadata.occurredAt)],
      );
      return { batchId, position: await appendOrUnavailable(deps.eventLog, event) };
    });
}

/**
 * Closes a batch with the number of files it accepted. The session row stays locked until
 * `BatchClosed` is in the log, so no file slips in after the count is taken.
 */
export function createCloseBatch(deps: BatchSessionDeps): CloseBatch {
  return ({ tenantId, batchId, actor }) =>
    withTenant(deps.pool, tenantId, async (db) => {
      const { fileCount } = await lockOpenBatch(db, tenantId, batchId);
      const event: BatchClosed = {
        type: 'BatchClosed',
        metadata: newMetadata(deps, {
          tenantId,
          aggregateId: batchId,
          correlationId: batchId,
          actor,
        }),
        data: { fileCount },
      };
      await db.query(
        `UPDATE write_side.batch_sessions
         SET status = 'closed', closed_at = $3, closed_event_id = $4
         WHERE tenant_id = $1 AND batch_id = $2`,
        [tenantId, batchId, new Date(event.metadata.occurredAt), event.metadata.eventId],
      );
      return { fileCount, position: await appendOrUnavailable(deps.eventLog, event) };
    });
}
