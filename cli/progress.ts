import cliProgress from 'cli-progress';
import type { BatchCounts } from './types.ts';

export interface ProgressState {
  total: number;
  /** Accepted by the API (in this run or an earlier one). */
  uploaded: number;
  /** Not uploaded: unreadable, or refused by the API. */
  uploadFailed: number;
  /** What the batch's read model says, once known. */
  counts: BatchCounts | null;
}

export interface ProgressView {
  update(state: ProgressState): void;
  stop(): void;
}

const figures = ({ total, uploaded, uploadFailed, counts }: ProgressState) => ({
  done: (counts?.processed ?? 0) + uploadFailed,
  total,
  uploaded,
  processed: counts?.processed ?? 0,
  matched: counts?.matched ?? 0,
  created: counts?.created ?? 0,
  inReview: counts?.inReview ?? 0,
  failed: (counts?.failed ?? 0) + uploadFailed,
});

/**
 * A live bar on a terminal; elsewhere (a pipe, a log file) one plain line each time the
 * figures change. The bar fills as files are done: processed by the chain, or failed to upload.
 */
export function createProgressView(
  out: NodeJS.WriteStream = process.stdout,
  interactive = !!out.isTTY,
): ProgressView {
  if (!interactive) {
    let last = '';
    return {
      update(state) {
        const f = figures(state);
        const line = `progress: uploaded ${f.uploaded}/${f.total}, processed ${f.processed}, matched ${f.matched}, new patients ${f.created}, in review ${f.inReview}, failed ${f.failed}`;
        if (line !== last) out.write(`${line}\n`);
        last = line;
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream: out,
      format:
        '{bar} {done}/{total} done | uploaded {uploaded} | processed {processed} | matched {matched} | new {created} | review {inReview} | failed {failed}',
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(state) {
      const f = figures(state);
      if (!started) bar.start(f.total, f.done, f);
      started = true;
      bar.setTotal(f.total);
      bar.update(f.done, f);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
