import { describe, expect, it } from 'vitest';
import { PairMemo } from './compact.ts';

describe('a memo of word pairs', () => {
  it('answers what was set for the pair in its order, and NaN for others', () => {
    const memo = new PairMemo();
    memo.set(3, 7, 0.25);
    memo.set(-2, 3, 0.5);
    expect(memo.get(3, 7)).toBe(0.25);
    expect(memo.get(-2, 3)).toBe(0.5);
    expect(memo.get(7, 3)).toBeNaN();
    expect(memo.get(3, -2)).toBeNaN();
  });

  it('keeps every pair while it grows to its bound', () => {
    const memo = new PairMemo(1 << 12, 4);
    for (let i = 0; i < 2000; i++) memo.set(i, -i, i / 2000);
    for (let i = 0; i < 2000; i++) expect(memo.get(i, -i)).toBe(i / 2000);
  });

  it('starts over past its bound rather than grow further', () => {
    const memo = new PairMemo(64, 4);
    for (let i = 0; i < 40; i++) memo.set(i, i, 1);
    const kept = Array.from({ length: 40 }, (_, i) => memo.get(i, i)).filter((v) => v === 1);
    expect(kept.length).toBeLessThan(40);
    expect(memo.get(39, 39)).toBe(1);
  });
});
