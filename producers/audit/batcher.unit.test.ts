import { describe, expect, it } from 'vitest';
import { type Batcher, type BatcherReport, createBatcher, type Schedule } from './batcher.ts';

/** A clock moved by hand: timers run when it passes their time. */
function manualTimers() {
  let now = 0;
  let timers: Array<{ at: number; fn: () => void }> = [];
  const schedule: Schedule = (fn, ms) => {
    const timer = { at: now + ms, fn };
    timers.push(timer);
    return () => {
      timers = timers.filter((t) => t !== timer);
    };
  };
  return {
    schedule,
    pending: () => timers.length,
    advance(ms: number) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      for (const t of due) t.fn();
    },
  };
}

function recordingReport() {
  const seen = { written: 0, dropped: 0, failures: [] as number[] };
  const report: BatcherReport = {
    written: (count) => {
      seen.written += count;
    },
    dropped: (count) => {
      seen.dropped += count;
    },
    failed: (_error, buffered) => {
      seen.failures.push(buffered);
    },
  };
  return { seen, report };
}

/** A log that can be taken down, and what it holds: each write's items. */
function fakeLog() {
  const writes: number[][] = [];
  let down = false;
  return {
    writes,
    setDown: (value: boolean) => {
      down = value;
    },
    write: async (items: number[]) => {
      if (down) throw new Error('log unavailable');
      writes.push(items);
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
const addMany = (batcher: Batcher<number>, from: number, count: number) => {
  for (let i = from; i < from + count; i++) batcher.add(i);
};

describe('createBatcher', () => {
  it('writes a full batch at once, without waiting for the timer', async () => {
    const timers = manualTimers();
    const log = fakeLog();
    const { seen, report } = recordingReport();
    const batcher = createBatcher({
      write: log.write,
      report,
      schedule: timers.schedule,
      maxBatch: 3,
    });
    addMany(batcher, 0, 2);
    await settle();
    expect(log.writes).toEqual([]);
    batcher.add(2);
    await settle();
    expect(log.writes).toEqual([[0, 1, 2]]);
    expect(seen.written).toBe(3);
    expect(batcher.size()).toBe(0);
  });

  it('writes what waits when the interval has passed since the first item', async () => {
    const timers = manualTimers();
    const log = fakeLog();
    const { report } = recordingReport();
    const batcher = createBatcher({
      write: log.write,
      report,
      schedule: timers.schedule,
      intervalMs: 200,
      maxBatch: 100,
    });
    batcher.add(1);
    timers.advance(150);
    batcher.add(2);
    await settle();
    expect(log.writes).toEqual([]);
    timers.advance(50);
    await settle();
    expect(log.writes).toEqual([[1, 2]]);
    expect(timers.pending()).toBe(0);
  });

  it('keeps the items of a failed write, in order, and writes them on the next flush', async () => {
    const timers = manualTimers();
    const log = fakeLog();
    const { seen, report } = recordingReport();
    const batcher = createBatcher({
      write: log.write,
      report,
      schedule: timers.schedule,
      intervalMs: 200,
      maxBatch: 2,
    });
    log.setDown(true);
    addMany(batcher, 0, 2);
    await settle();
    expect(seen.failures).toEqual([2]);
    // While writes fail a full batch does not trigger another: the timer retries.
    addMany(batcher, 2, 3);
    await settle();
    expect(seen.failures).toEqual([2]);
    log.setDown(false);
    timers.advance(200);
    await settle();
    expect(log.writes).toEqual([[0, 1], [2, 3], [4]]);
    expect(batcher.size()).toBe(0);
  });

  it('bounds the buffer while the log is down: the oldest go, counted', async () => {
    const timers = manualTimers();
    const log = fakeLog();
    const { seen, report } = recordingReport();
    const batcher = createBatcher({
      write: log.write,
      report,
      schedule: timers.schedule,
      intervalMs: 200,
      maxBatch: 2,
      maxBuffered: 5,
    });
    log.setDown(true);
    addMany(batcher, 0, 12);
    await settle();
    timers.advance(200);
    await settle();
    expect(batcher.size()).toBe(5);
    expect(seen.dropped).toBe(7);
    log.setDown(false);
    timers.advance(200);
    await settle();
    expect(log.writes.flat()).toEqual([7, 8, 9, 10, 11]);
    expect(seen.written).toBe(5);
  });

  it('writes what waits on stop, and leaves no timer behind', async () => {
    const timers = manualTimers();
    const log = fakeLog();
    const { report } = recordingReport();
    const batcher = createBatcher({ write: log.write, report, schedule: timers.schedule });
    addMany(batcher, 0, 3);
    await batcher.stop();
    expect(log.writes).toEqual([[0, 1, 2]]);
    expect(timers.pending()).toBe(0);
  });

  it('leaves what came during a slow write for its own interval, not a stream of small writes', async () => {
    const timers = manualTimers();
    const writes: number[][] = [];
    let finish = () => {};
    const write = async (items: number[]) => {
      writes.push(items);
      await new Promise<void>((resolve) => {
        finish = resolve;
      });
    };
    const { report } = recordingReport();
    const batcher = createBatcher({ write, report, schedule: timers.schedule, intervalMs: 200 });
    addMany(batcher, 0, 2);
    timers.advance(200);
    await settle();
    expect(writes).toEqual([[0, 1]]);
    addMany(batcher, 2, 3);
    finish();
    await settle();
    expect(writes).toEqual([[0, 1]]);
    expect(batcher.size()).toBe(3);
    timers.advance(200);
    await settle();
    expect(writes).toEqual([
      [0, 1],
      [2, 3, 4],
    ]);
    finish();
    await batcher.stop();
    expect(timers.pending()).toBe(0);
  });
});
