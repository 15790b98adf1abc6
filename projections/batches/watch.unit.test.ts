import { describe, expect, it } from 'vitest';
import { countFiles } from './progress.ts';
import type { BatchView } from './queries.ts';
import { watchBatch } from './watch.ts';

const batch = (status: BatchView['status'], matched: number): BatchView => ({
  batchId: 'b-1',
  tenantId: 't',
  name: null,
  status,
  fileCount: status === 'open' ? null : 2,
  openedAt: '2026-11-24T10:00:00.000Z',
  closedAt: null,
  completedAt: null,
  counts: countFiles(
    Array.from({ length: 2 }, (_, i) => ({
      status: 'classified',
      matchStatus: i < matched ? 'matched' : null,
    })),
  ),
  completion: null,
  files: [],
});

async function collect(readings: Array<BatchView | null>, signal = new AbortController().signal) {
  const queue = [...readings];
  const events = [];
  for await (const e of watchBatch(async () => queue.shift() ?? null, 1, signal)) {
    events.push(`${e.event}:${e.data.status}:${e.data.counts.matched}`);
  }
  return events;
}

describe('watching a batch', () => {
  it('tells each change once, then completed, and ends', async () => {
    const events = await collect([
      batch('open', 0),
      batch('open', 0),
      batch('closed', 0),
      batch('closed', 1),
      batch('closed', 1),
      batch('completed', 2),
      batch('completed', 2),
    ]);
    expect(events).toEqual([
      'progress:open:0',
      'progress:closed:0',
      'progress:closed:1',
      'progress:completed:2',
      'completed:completed:2',
    ]);
  });

  it('stops polling when the watcher goes away', async () => {
    const gone = new AbortController();
    let reads = 0;
    const events = [];
    for await (const e of watchBatch(
      async () => {
        reads++;
        return batch('open', 0);
      },
      60_000,
      gone.signal,
    )) {
      events.push(e.event);
      gone.abort();
    }
    expect(events).toEqual(['progress']);
    expect(reads).toBe(1);
  });
});
