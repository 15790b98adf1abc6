import type { EventLog } from '../../infra/kafka/event-log.ts';
import type { Logger } from '../../infra/logger.ts';
import { type Pool, withTransaction } from '../../infra/postgres.ts';
import type { BatchCompleted } from '../../schemas/events.ts';
import { newMetadata } from '../event-metadata.ts';

export const COMPLETION_ACTOR = 'batch-completion';

export interface CompletionDeps {
  /** The owner's: the closed batches of every tenant are looked at together. */
  pool: Pool;
  eventLog: EventLog;
  logger: Logger;
  now: () => number;
  newId: () => string;
  intervalMs: number;
  /**
   * The counts of a closed batch once every file it was closed with is done (the read models
   * know), else null.
   */
  completedCounts: (
    tenantId: string,
    batchId: string,
    closedFileCount: number,
  ) => Promise<Omit<BatchCompleted['data'], 'fileCount'> | null>;
}

export interface BatchCompletion {
  /** One pass over the closed batches; resolves to the number it completed. */
  check(): Promise<number>;
  stop(): Promise<void>;
}

interface ClosedBatch {
  tenant_id: string;
  batch_id: string;
  file_count: number;
  closed_event_id: string | null;
}

/**
 * Appends `BatchCompleted` once for each closed batch whose files are all terminal. The
 * completion row and the event go together: the row is committed only after Kafka acknowledged
 * the event, and its primary key keeps a second pass (or a second process) from repeating it.
 */
export function startBatchCompletion(deps: CompletionDeps): BatchCompletion {
  const log = deps.logger.child({ component: 'batch-completion' });

  const complete = async (batch: ClosedBatch, event: BatchCompleted) =>
    withTransaction(deps.pool, async (db) => {
      const { rowCount } = await db.query(
        `INSERT INTO write_side.batch_completions (batch_id, tenant_id, completed_at)
         VALUES ($1, $2, $3) ON CONFLICT (batch_id) DO NOTHING`,
        [batch.batch_id, batch.tenant_id, new Date(event.metadata.occurredAt)],
      );
      if (rowCount === 0) return false;
      await deps.eventLog.append(event);
      return true;
    });

  const tryComplete = async (batch: ClosedBatch) => {
    const counts = await deps.completedCounts(batch.tenant_id, batch.batch_id, batch.file_count);
    if (!counts) return false;
    const event: BatchCompleted = {
      type: 'BatchCompleted',
      metadata: newMetadata(deps, {
        tenantId: batch.tenant_id,
        aggregateId: batch.batch_id,
        correlationId: batch.batch_id,
        causationId: batch.closed_event_id,
        actor: COMPLETION_ACTOR,
      }),
      data: { fileCount: batch.file_count, ...counts },
    };
    return complete(batch, event);
  };

  const check = async () => {
    const { rows } = await deps.pool.query<ClosedBatch>(
      `SELECT s.tenant_id, s.batch_id, s.file_count, s.closed_event_id
       FROM write_side.batch_sessions s
       WHERE s.status = 'closed'
         AND NOT EXISTS (SELECT 1 FROM write_side.batch_completions c WHERE c.batch_id = s.batch_id)
       ORDER BY s.closed_at`,
    );
    let completed = 0;
    for (const batch of rows) {
      if (await tryComplete(batch)) completed++;
    }
    return completed;
  };

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = check()
      .then((completed) => {
        if (completed > 0) log.info({ completed }, 'batches completed');
      })
      .catch((err: unknown) =>
        log.warn({ err }, 'batch completion check failed; next tick retries'),
      )
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, deps.intervalMs);
      });
  };
  tick();

  return {
    check,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
