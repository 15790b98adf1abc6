import { setTimeout as sleep } from 'node:timers/promises';
import type { BatchView } from './queries.ts';

/** What a client watching a batch is told: where it stands, without the file list. */
export type BatchProgress = Pick<
  BatchView,
  'batchId' | 'status' | 'fileCount' | 'counts' | 'completion'
>;

export interface BatchProgressEvent {
  event: 'progress' | 'completed';
  data: BatchProgress;
}

export const progressOf = ({
  batchId,
  status,
  fileCount,
  counts,
  completion,
}: BatchView): BatchProgress => ({ batchId, status, fileCount, counts, completion });

/**
 * Reads the batch every `pollMs` and yields `progress` whenever its progress changed (the first
 * reading included), then `completed` once it is completed, and ends. Ends early, its timer
 * cleared, when `signal` aborts (the client went away).
 */
export async function* watchBatch(
  read: () => Promise<BatchView | null>,
  pollMs: number,
  signal: AbortSignal,
): AsyncGenerator<BatchProgressEvent> {
  let last = '';
  while (!signal.aborted) {
    const batch = await read();
    if (!batch) return;
    const progress = progressOf(batch);
    const seen = JSON.stringify(progress);
    if (seen !== last) {
      last = seen;
      yield { event: 'progress', data: progress };
    }
    if (batch.status === 'completed') {
      yield { event: 'completed', data: progress };
      return;
    }
    try {
      await sleep(pollMs, undefined, { signal });
    } catch {
      return;
    }
  }
}
