import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { takeChunk } from './chunks.ts';
import type { Outcome } from './handle-message.ts';

const messages = Array.from(
  { length: 10 },
  (_, i) => ({ offset: String(i), key: Buffer.from(`d${i}`) }) as KafkaMessage,
);
const skipped: Outcome = { kind: 'skipped' };

/** A clock that each decided window moves on by `msPerWindow`. */
function deciding(msPerWindow: number) {
  let time = 0;
  const windows: string[][] = [];
  return {
    windows,
    now: () => time,
    decide: async (window: KafkaMessage[]) => {
      windows.push(window.map((m) => m.offset));
      time += msPerWindow;
      return window.map(() => skipped);
    },
  };
}

describe('takeChunk', () => {
  it('takes quick messages window after window up to the count', async () => {
    const clock = deciding(1);
    const chunk = await takeChunk(
      messages,
      0,
      { maxMessages: 5, maxMs: 1000, window: 2 },
      clock.decide,
      clock.now,
    );
    expect(chunk.messages.map((m) => m.offset)).toEqual(['0', '1', '2', '3', '4']);
    expect(chunk.outcomes).toHaveLength(5);
    expect(clock.windows).toEqual([['0', '1'], ['2', '3'], ['4']]);
  });

  it('closes the chunk after the window that used up its time', async () => {
    const clock = deciding(300);
    const chunk = await takeChunk(
      messages,
      0,
      { maxMessages: 100, maxMs: 500, window: 3 },
      clock.decide,
      clock.now,
    );
    expect(chunk.messages.map((m) => m.offset)).toEqual(['0', '1', '2', '3', '4', '5']);
  });

  it('starts where it is told and stops at the end of the batch', async () => {
    const clock = deciding(0);
    const chunk = await takeChunk(
      messages,
      7,
      { maxMessages: 100, maxMs: 1000, window: 2 },
      clock.decide,
      clock.now,
    );
    expect(chunk.messages.map((m) => m.offset)).toEqual(['7', '8', '9']);
    expect(clock.windows).toEqual([['7', '8'], ['9']]);
  });

  it('always takes one window, however slow', async () => {
    const clock = deciding(10_000);
    const chunk = await takeChunk(
      messages,
      0,
      { maxMessages: 100, maxMs: 0, window: 4 },
      clock.decide,
      clock.now,
    );
    expect(chunk.messages).toHaveLength(4);
  });
});
