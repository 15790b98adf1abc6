import { describe, expect, it } from 'vitest';
import { IntList } from './compact.ts';
import { mostVoted } from './ranking.ts';

function random(seed: number) {
  let state = seed;
  return (below: number) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state % below;
  };
}

/** The ranking spelled out: votes per slot, most first, then by slot, the first `limit`. */
function reference(blocks: readonly IntList[], limit: number): number[] {
  const votes = new Map<number, number>();
  for (const block of blocks)
    for (let i = 0; i < block.length; i++) {
      const slot = block.items[i] as number;
      votes.set(slot, (votes.get(slot) ?? 0) + 1);
    }
  return [...votes]
    .sort(([a, x], [b, y]) => y - x || a - b)
    .slice(0, limit)
    .map(([slot]) => slot);
}

describe('ranking slots by blocks shared', () => {
  it('ranks as counting every vote would, for seeded blocks', () => {
    const next = random(7);
    for (let round = 0; round < 300; round++) {
      const blocks = Array.from({ length: 1 + next(6) }, () => {
        const block = new IntList();
        const size = next(4) === 0 ? 0 : next(300);
        for (let slot = next(20); block.length < size; slot += 1 + next(40)) block.push(slot);
        return block;
      });
      const limit = next(4) === 0 ? 0 : 1 + next(100);
      expect(mostVoted(blocks, limit)).toEqual(reference(blocks, limit));
    }
  });

  it('keeps a block in slot order when a slot joins it later', () => {
    const block = new IntList();
    for (const slot of [2, 5, 9]) block.push(slot);
    block.insertSorted(7);
    block.insertSorted(5);
    block.insertSorted(1);
    expect(Array.from(block.items.subarray(0, block.length))).toEqual([1, 2, 5, 7, 9]);
  });
});
