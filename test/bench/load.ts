// An HTTP load for `seconds` or until stopped: closed-loop, `connections` loops each sending the
// next request when the last answered (what a server can take), or open-loop at `ratePerSecond`,
// each request sent on its schedule whether or not earlier ones answered (what a client waits at a
// given load; its latency counts from when the request was due, so a stalled server is not
// hidden by requests it kept from being sent). It runs on a worker thread, so the load's own work
// never sits on the event loop of the server it measures when both share a process.
import { Worker } from 'node:worker_threads';

export interface LoadFigures {
  'requests/s': number;
  'p50 ms': number;
  'p99 ms': number;
  'max ms': number;
  failures: number;
}

export interface LoadOptions {
  url: string;
  headers?: Record<string, string>;
  seconds: number;
  connections: number;
  /** Open-loop: requests per second, sent on schedule; `connections` is then ignored. */
  ratePerSecond?: number;
}

export interface RunningLoad {
  /** Ends the load early; `done` then resolves with what it measured until then. */
  stop(): void;
  done: Promise<LoadFigures>;
}

// Plain JavaScript, evaluated by the worker: no loader needed there.
const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const { url, headers, seconds, connections, ratePerSecond, stop } = workerData;
const latencies = [];
let failures = 0;
let started = performance.now();
let deadline = started + seconds * 1000;
const going = () => performance.now() < deadline && Atomics.load(stop, 0) === 0;
async function request(since) {
  try {
    const response = await fetch(url, { headers });
    await response.arrayBuffer();
    if (response.status !== 200) failures++;
  } catch { failures++; }
  latencies.push(performance.now() - since);
}
async function closedLoop() {
  while (going()) await request(performance.now());
}
async function openLoop() {
  const sent = [];
  for (let due = started; going(); due += 1000 / ratePerSecond) {
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    sent.push(request(due));
  }
  await Promise.all(sent);
}
// The worker's own first requests (loading fetch, opening connections) are not the server's
// latency: a few go first, uncounted.
async function warmUp() {
  for (let i = 0; i < 10; i++) {
    await fetch(url, { headers }).then((r) => r.arrayBuffer()).catch(() => {});
  }
  started = performance.now();
  deadline = started + seconds * 1000;
}
warmUp()
  .then(() => Promise.all(ratePerSecond ? [openLoop()] : Array.from({ length: connections }, closedLoop)))
  .then(() => parentPort.postMessage({ latencies, failures, ms: performance.now() - started }));
`;

export function startLoad(options: LoadOptions): RunningLoad {
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { headers: {}, ...options, stop },
  });
  const done = new Promise<LoadFigures>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (result: { latencies: number[]; failures: number; ms: number }) => {
      void worker.terminate();
      resolve(figures(result.latencies, result.failures, result.ms / 1000));
    });
  });
  return { stop: () => Atomics.store(stop, 0, 1), done };
}

export const runLoad = (options: LoadOptions) => startLoad(options).done;

export function figures(latencies: number[], failures: number, seconds: number): LoadFigures {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    'requests/s': Math.round(sorted.length / seconds),
    'p50 ms': quantile(sorted, 0.5),
    'p99 ms': quantile(sorted, 0.99),
    'max ms': quantile(sorted, 1),
    failures,
  };
}

const quantile = (sorted: number[], q: number) =>
  Number((sorted[Math.floor(q * (sorted.length - 1))] ?? 0).toFixed(1));

// The upload's own work (a large body written to the socket) stays off the server's thread too.
const UPLOADER = `
const { workerData, parentPort } = require('node:worker_threads');
const { url, headers, bytes, fileName } = workerData;
const form = new FormData();
form.append('file', new Blob([bytes]), fileName);
fetch(url, { method: 'POST', headers, body: form })
  .then(async (response) => parentPort.postMessage({ status: response.status, body: await response.json() }))
  .catch((error) => parentPort.postMessage({ status: 0, body: { message: String(error) } }));
`;

/** POSTs `bytes` as the multipart `file` from a worker thread; resolves with the answer. */
export function uploadFromWorker(options: {
  url: string;
  headers: Record<string, string>;
  bytes: Buffer;
  fileName: string;
}): Promise<{ status: number; body: Record<string, unknown> }> {
  // Moved to the worker, not copied, when the bytes are a whole buffer of their own: a copy of
  // tens of MB would be the measuring thread's own stall.
  const owned =
    options.bytes.byteOffset === 0 && options.bytes.byteLength === options.bytes.buffer.byteLength;
  const bytes = owned ? options.bytes : new Uint8Array(options.bytes);
  const worker = new Worker(UPLOADER, {
    eval: true,
    workerData: { ...options, bytes },
    transferList: [bytes.buffer as ArrayBuffer],
  });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (answer) => {
      void worker.terminate();
      resolve(answer);
    });
  });
}
