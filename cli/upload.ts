import { setTimeout as sleep } from 'node:timers/promises';
import { type Api, ApiError } from './api.ts';
import { collectFiles } from './files.ts';
import { followBatch } from './follow.ts';
import { createProgressView, type ProgressState } from './progress.ts';
import { ResumeFile, type ResumeState } from './resume.ts';
import { alreadyAccepted, sendFiles, unanswered } from './send-files.ts';
import { type Outcome, renderSummary, summaryRows } from './summary.ts';
import type { Batch } from './types.ts';

export interface UploadOptions {
  concurrency: number;
  /** Continue this batch instead of opening one. */
  batch?: string;
  /** The resume file: continues the batch it names, and records this run. */
  state?: string;
  name?: string;
  wait: boolean;
  exclude: string[];
  /** Seconds to wait for the batch to complete; 0 waits as long as it takes. */
  timeout: number;
}

interface Output {
  out: NodeJS.WriteStream;
  err: NodeJS.WritableStream;
}

/** How long an interrupted run's unanswered files are looked for in the batch before resending. */
const SETTLE_MS = 5_000;

/**
 * `docstream upload`: opens (or continues) a batch, sends the files, follows the batch's
 * progress, closes it, waits for it to complete and prints what became of every file.
 * Answers the exit code: 0 when every file was processed without failing, else 1.
 */
export async function upload(
  api: Api,
  inputs: readonly string[],
  options: UploadOptions,
  { out, err }: Output = { out: process.stdout, err: process.stderr },
): Promise<number> {
  const files = await collectFiles(inputs, options.exclude);
  if (files.length === 0) {
    err.write('no files to upload\n');
    return 2;
  }
  const remembered = await ResumeFile.read(options.state, api.url);
  const { batchId, batch, minPosition } = await openOrContinue(api, options, remembered, err);
  const earlier = remembered?.batchId === batchId ? remembered : null;
  const resume = await ResumeFile.start(options.state, {
    url: api.url,
    batchId,
    files: { ...earlier?.files },
  });

  const progress: ProgressState = {
    total: files.length,
    uploaded: 0,
    uploadFailed: 0,
    counts: null,
  };
  const view = createProgressView(out);
  const refresh = () => view.update(progress);
  refresh();
  const following = new AbortController();
  const signal =
    options.timeout > 0
      ? AbortSignal.any([following.signal, AbortSignal.timeout(options.timeout * 1000)])
      : following.signal;
  const followed = followBatch(
    api,
    batchId,
    (p) => {
      progress.counts = p.counts;
      refresh();
    },
    signal,
    { ...(minPosition && { minPosition }) },
  );
  followed.catch(() => {});

  let outcomes: Outcome[];
  let completed = false;
  try {
    outcomes = await sendFiles(files, alreadyAccepted(batch, earlier), {
      api,
      batchId,
      resume,
      concurrency: options.concurrency,
      onOutcome(outcome) {
        if ('error' in outcome) progress.uploadFailed += 1;
        else progress.uploaded += 1;
        refresh();
      },
    });
    await close(api, batchId);
    if (options.wait) completed = (await followed) !== null;
  } finally {
    following.abort();
    view.stop();
  }

  const final = await api.get<Batch>(`/batches/${batchId}`).catch(() => null);
  const rows = summaryRows(outcomes, final?.files ?? []);
  out.write(renderSummary(rows));
  if (options.wait && !completed) {
    err.write(`batch ${batchId} did not complete within ${options.timeout} s\n`);
    return 1;
  }
  return rows.some((r) => r.failed) ? 1 : 0;
}

async function openOrContinue(
  api: Api,
  options: UploadOptions,
  remembered: ResumeState | null,
  err: NodeJS.WritableStream,
): Promise<{ batchId: string; batch: Batch | null; minPosition?: string }> {
  const continued = options.batch ?? remembered?.batchId;
  if (!continued) {
    const { batchId, position } = await api.post<{ batchId: string; position: { token: string } }>(
      '/batches',
      options.name ? { name: options.name } : {},
    );
    err.write(`batch ${batchId} opened; if interrupted, run again with --batch ${batchId}\n`);
    return { batchId, batch: null, minPosition: position.token };
  }
  let batch = await api.get<Batch>(`/batches/${continued}`);
  const waiting = remembered?.batchId === continued ? unanswered(remembered) : [];
  // Files the last run sent without hearing back may be in the batch already; the batch's read
  // model shows them a moment after they were accepted.
  const deadline = Date.now() + SETTLE_MS;
  while (waiting.some((name) => !batch.files.some((f) => f.fileName === name))) {
    if (Date.now() >= deadline) break;
    await sleep(250);
    batch = await api.get<Batch>(`/batches/${continued}`);
  }
  err.write(`continuing batch ${continued} (${batch.files.length} file(s) already in it)\n`);
  return { batchId: continued, batch };
}

/** Closes the batch; one closed by an earlier run stays closed. */
async function close(api: Api, batchId: string): Promise<void> {
  try {
    await api.post(`/batches/${batchId}/close`);
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 'BATCH_CLOSED')) throw error;
  }
}
