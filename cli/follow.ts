import { setTimeout as sleep } from 'node:timers/promises';
import { createParser } from 'eventsource-parser';
import type { Api } from './api.ts';
import type { Batch, BatchProgress } from './types.ts';

/**
 * Follows a batch's progress on its event stream until the batch is completed (resolving with
 * its last progress) or `signal` aborts (resolving with null). A dropped or refused stream is
 * opened again after a pause that grows to `maxPauseMs`; between the two, the batch is read once
 * with `GET /batches/:id`, since the stream carries no event ids to resume from and starts again
 * from the current progress anyway.
 */
export async function followBatch(
  api: Api,
  batchId: string,
  onProgress: (progress: BatchProgress) => void,
  signal: AbortSignal,
  { minPosition, maxPauseMs = 5_000 }: { minPosition?: string; maxPauseMs?: number } = {},
): Promise<BatchProgress | null> {
  const query = minPosition ? `?minPosition=${encodeURIComponent(minPosition)}` : '';
  let pause = 250;
  while (!signal.aborted) {
    try {
      const completed = await readStream(
        api,
        `/batches/${batchId}/events${query}`,
        onProgress,
        signal,
      );
      if (completed) return completed;
      pause = 250;
    } catch (error) {
      if (signal.aborted) return null;
      if (isFinal(error)) throw error;
    }
    try {
      await sleep(pause, undefined, { signal });
      pause = Math.min(pause * 2, maxPauseMs);
      const batch = await api.get<Batch>(`/batches/${batchId}${query}`);
      onProgress(batch);
      if (batch.status === 'completed') return batch;
    } catch (error) {
      if (signal.aborted) return null;
      if (isFinal(error)) throw error;
    }
  }
  return null;
}

/** Reads one connection to the stream; the completed progress if it said so, else null. */
async function readStream(
  api: Api,
  path: string,
  onProgress: (progress: BatchProgress) => void,
  signal: AbortSignal,
): Promise<BatchProgress | null> {
  const response = await api.stream(path, signal);
  if (!response.ok || !response.body) {
    const body = (await response.json().catch(() => ({}))) as { code?: string };
    throw Object.assign(new Error(`event stream answered ${response.status}`), {
      status: response.status,
      code: body.code,
    });
  }
  let completed: BatchProgress | null = null;
  const parser = createParser({
    onEvent(message) {
      const progress = JSON.parse(message.data) as BatchProgress;
      onProgress(progress);
      if (message.event === 'completed') completed = progress;
    },
  });
  const decoder = new TextDecoder();
  for await (const chunk of response.body) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    if (completed) break;
  }
  return completed;
}

/** A stream refused for a reason that waiting will not change: the batch or the key. */
function isFinal(error: unknown): boolean {
  const status = (error as { status?: number }).status;
  return status !== undefined && status >= 400 && status < 500 && status !== 429;
}
