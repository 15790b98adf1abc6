/** Runs `fn` after `ms`; the function returned cancels it. */
export type Schedule = (fn: () => void, ms: number) => () => void;

/** A timer that does not keep the process alive on its own. */
export const scheduleTimeout: Schedule = (fn, ms) => {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

/** What a batcher tells its owner: counts for metrics, and failures to log. */
export interface BatcherReport {
  written(count: number): void;
  /** Items given up on, oldest first, because the buffer was full. */
  dropped(count: number): void;
  /** A write failed; its items wait in the buffer for the next flush. */
  failed(error: unknown, buffered: number): void;
}

export interface BatcherOptions<T> {
  /** Writes one batch, at most `maxBatch` items, in order; a rejection keeps them to retry. */
  write: (items: T[]) => Promise<void>;
  report: BatcherReport;
  /** A flush is due this long after the first item waiting. */
  intervalMs?: number;
  /** A flush is due as soon as this many items wait (unless the last write failed). */
  maxBatch?: number;
  /** At most this many items wait; past it the oldest are dropped. */
  maxBuffered?: number;
  schedule?: Schedule;
}

export interface Batcher<T> {
  /** Never waits and never throws: the item is written with the next flush. */
  add(item: T): void;
  /** Writes whatever waits, in batches; resolves when done or when a write failed. */
  flush(): Promise<void>;
  /** Stops the timer and flushes once more: call it once nothing adds any more. */
  stop(): Promise<void>;
  /** How many items wait. */
  size(): number;
}

/**
 * Collects items and writes them in batches, off the path of whoever adds them: every
 * `intervalMs`, or at once when `maxBatch` wait. A failed write keeps its items (before any added
 * since) for the next flush, the timer's; while writes fail, a full batch does not trigger one,
 * so a dead log is tried once per interval rather than once per item. The buffer is bounded:
 * when the log is down for long, the oldest items go.
 */
export function createBatcher<T>(options: BatcherOptions<T>): Batcher<T> {
  const { write, report, intervalMs = 200, maxBatch = 100, maxBuffered = 10_000 } = options;
  const schedule = options.schedule ?? scheduleTimeout;
  if (maxBatch < 1 || maxBuffered < maxBatch) {
    throw new Error('a batcher needs 1 <= maxBatch <= maxBuffered');
  }
  let buffer: T[] = [];
  let cancelTimer: (() => void) | null = null;
  let inFlight: Promise<void> | null = null;
  let failing = false;
  let stopped = false;

  const bound = () => {
    const excess = buffer.length - maxBuffered;
    if (excess > 0) {
      buffer.splice(0, excess);
      report.dropped(excess);
    }
  };

  const arm = () => {
    if (stopped || cancelTimer || buffer.length === 0) return;
    cancelTimer = schedule(() => {
      cancelTimer = null;
      void flush();
    }, intervalMs);
  };

  const disarm = () => {
    cancelTimer?.();
    cancelTimer = null;
  };

  const drain = async () => {
    disarm();
    // What waits now is written; what comes meanwhile waits for a full batch or its own interval,
    // else a log slower than the adds would take a stream of small writes, each woken consumer's.
    let due = buffer.length;
    while (buffer.length > 0 && (due > 0 || buffer.length >= maxBatch || stopped)) {
      // Out of the buffer while written, so that dropping the oldest never drops these.
      const batch = buffer.splice(0, maxBatch);
      due -= batch.length;
      try {
        await write(batch);
      } catch (error) {
        buffer = [...batch, ...buffer];
        bound();
        failing = true;
        report.failed(error, buffer.length);
        return;
      }
      failing = false;
      report.written(batch.length);
    }
  };

  const flush = (): Promise<void> => {
    inFlight ??= drain().finally(() => {
      inFlight = null;
      arm();
    });
    return inFlight;
  };

  return {
    add(item) {
      buffer.push(item);
      bound();
      if (buffer.length >= maxBatch && !failing) void flush();
      else arm();
    },
    flush,
    async stop() {
      stopped = true;
      disarm();
      await inFlight;
      await flush();
    },
    size: () => buffer.length,
  };
}
