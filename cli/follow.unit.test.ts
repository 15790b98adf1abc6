import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from './api.ts';
import { followBatch } from './follow.ts';
import type { BatchProgress } from './types.ts';

const progress = (status: BatchProgress['status'], processed: number): BatchProgress => ({
  batchId: 'b1',
  status,
  fileCount: 2,
  counts: {
    files: 2,
    processed,
    failed: 0,
    matched: processed,
    created: 0,
    inReview: 0,
    pending: 2 - processed,
  },
});

describe('following a batch over a connection that drops', () => {
  let server: Server;
  let url: string;
  const requests: string[] = [];

  beforeAll(async () => {
    // The first stream sends one event and is cut; the next ones end with `completed`.
    server = createServer((request, response) => {
      requests.push(`${request.method} ${request.url}`);
      if (request.url === '/batches/b1') {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ ...progress('closed', 1), files: [] }));
        return;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const streams = requests.filter((r) => r.includes('/events')).length;
      if (streams === 1) {
        response.write(`event: progress\ndata: ${JSON.stringify(progress('closed', 0))}\n\n`);
        setImmediate(() => response.socket?.destroy());
        return;
      }
      response.write(`event: progress\ndata: ${JSON.stringify(progress('closed', 1))}\n\n`);
      response.end(`event: completed\ndata: ${JSON.stringify(progress('completed', 2))}\n\n`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads the batch, opens the stream again, and ends with the completed progress', async () => {
    const seen: number[] = [];
    const completed = await followBatch(
      createApi({ url, key: 'k' }),
      'b1',
      (p) => seen.push(p.counts.processed),
      AbortSignal.timeout(10_000),
      { maxPauseMs: 50 },
    );
    expect(completed).toMatchObject({ status: 'completed', counts: { processed: 2 } });
    expect(seen).toEqual([0, 1, 1, 2]);
    expect(requests).toEqual([
      'GET /batches/b1/events',
      'GET /batches/b1',
      'GET /batches/b1/events',
    ]);
  });
});
