import type { IntList } from './compact.ts';

/** The union of the blocks merged so far, in slot order, with each slot's votes; two, in turn. */
let slots = new Int32Array(1024);
let votes = new Int32Array(1024);
let nextSlots = new Int32Array(1024);
let nextVotes = new Int32Array(1024);
let tally = new Int32Array(16);
/** Where the slots of two votes or more are among those merged. */
let shared = new Int32Array(1024);

/**
 * Slots in the most of `blocks` (each in ascending slot order), best first and by slot among
 * equals, at most `limit`. The blocks are merged two at a time, smallest first, so the slots of
 * each count come out already sorted and nothing indexed by slot is touched at random.
 */
export function mostVoted(blocks: readonly IntList[], limit: number): number[] {
  let length = 0;
  for (const block of blocks) length = mergeBlock(length, block);
  if (tally.length < blocks.length + 1) tally = new Int32Array(blocks.length + 1);
  tally.fill(0, 0, blocks.length + 1);
  if (shared.length < length) shared = new Int32Array(slots.length);
  let sharedLength = 0;
  let most = 0;
  for (let i = 0; i < length; i++) {
    const count = votes[i] as number;
    (tally[count] as number)++;
    if (count > 1) shared[sharedLength++] = i;
    if (count > most) most = count;
  }
  if (most === 0) return [];
  let least = most;
  let above = 0;
  while (least > 1 && above + (tally[least] as number) < limit) above += tally[least--] as number;
  const chosen: number[] = [];
  for (let count = most; count >= least; count--) {
    let wanted = count > least ? (tally[count] as number) : limit - above;
    if (count === 1) {
      for (let i = 0; i < length && wanted > 0; i++) {
        if (votes[i] !== 1) continue;
        chosen.push(slots[i] as number);
        wanted--;
      }
    }
    for (let k = 0; k < sharedLength && wanted > 0 && count > 1; k++) {
      const i = shared[k] as number;
      if (votes[i] !== count) continue;
      chosen.push(slots[i] as number);
      wanted--;
    }
  }
  return chosen;
}

/** Merges a block into the `length` slots merged so far; answers how many there are now. */
function mergeBlock(length: number, block: IntList): number {
  const room = length + block.length;
  if (nextSlots.length < room) {
    nextSlots = new Int32Array(room * 2);
    nextVotes = new Int32Array(room * 2);
  }
  const items = block.items;
  const end = block.length;
  let merged = 0;
  let i = 0;
  let j = 0;
  while (i < length || j < end) {
    const fromBlock = i === length || (j < end && (items[j] as number) <= (slots[i] as number));
    const slot = fromBlock ? (items[j++] as number) : (slots[i] as number);
    const count = fromBlock ? 1 : (votes[i++] as number);
    // A slot already out (in both lists, or twice in the block) gains the votes.
    if (merged > 0 && nextSlots[merged - 1] === slot) (nextVotes[merged - 1] as number) += count;
    else {
      nextSlots[merged] = slot;
      nextVotes[merged++] = count;
    }
  }
  [slots, nextSlots] = [nextSlots, slots];
  [votes, nextVotes] = [nextVotes, votes];
  return merged;
}
