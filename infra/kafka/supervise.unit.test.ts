import { describe, expect, it } from 'vitest';
import { createConsumerRoster, restartDelay } from './supervise.ts';

describe('restartDelay', () => {
  const policy = { baseMs: 1000, maxMs: 30_000 };

  it('doubles from the base with each restart in a row', () => {
    expect([1, 2, 3, 4].map((attempt) => restartDelay(attempt, policy))).toEqual([
      1000, 2000, 4000, 8000,
    ]);
  });

  it('never waits longer than the cap, however many restarts failed', () => {
    expect(restartDelay(6, policy)).toBe(30_000);
    expect(restartDelay(10_000, policy)).toBe(30_000);
  });
});

describe('the consumer roster', () => {
  it('names the consumers that are not running', () => {
    const roster = createConsumerRoster();
    const consumer = (name: string, running: boolean) => ({
      name,
      running: () => running,
      stop: async () => {},
    });
    roster.add(consumer('projection-text', false));
    roster.add(consumer('validate', true));
    expect(roster.stopped()).toEqual(['projection-text']);
  });
});
