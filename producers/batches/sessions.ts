import { DocstreamError, notFound } from '../../infra/errors.ts';
import type { EventLog } from '../../infra/kafka/event-log.ts';
import type { Pool, PoolClient, Queryable } from '../../infra/postgres.ts';
import type { BatchEvent } from '../../schemas/events.ts';
import { eventLogUnavailable } from '../errors.ts';

export interface BatchSessionDeps {
  pool: Pool;
  eventLog: EventLog;
  now: () => number;
  newId: () => string;
}

export const batchNotFound = () => notFound('BATCH_NOT_FOUND', 'no such batch for this tenant');
export const batchClosed = () =>
  new DocstreamError(
    'conflict',
    'BATCH_CLOSED',
    'the batch is closed: no more files, no new close',
  );

/**
 * Takes the batch's row lock for the rest of the transaction and checks the batch is open, so
 * that adding files and closing one batch happen one after the other.
 */
export async function lockOpenBatch(
  db: PoolClient,
  tenantId: string,
  batchId: string,
): Promise<{ fileCount: number }> {
  const { rows } = await db.query<{ status: string; file_count: number }>(
    `SELECT status, file_count FROM write_side.batch_sessions
     WHERE tenant_id = $1 AND batch_id = $2 FOR UPDATE`,
    [tenantId, batchId],
  );
  const session = rows[0];
  if (!session) throw batchNotFound();
  if (session.status !== 'open') throw batchClosed();
  return { fileCount: session.file_count };
}

/** The same check without the lock, to refuse a request before its files are received. */
export async function assertBatchOpen(db: Queryable, tenantId: string, batchId: string) {
  const { rows } = await db.query<{ status: string }>(
    'SELECT status FROM write_side.batch_sessions WHERE tenant_id = $1 AND batch_id = $2',
    [tenantId, batchId],
  );
  if (!rows[0]) throw batchNotFound();
  if (rows[0].status !== 'open') throw batchClosed();
}

export async function appendOrUnavailable(eventLog: EventLog, event: BatchEvent) {
  try {
    return await eventLog.append(event);
  } catch (cause) {
    throw eventLogUnavailable(cause);
  }
}
