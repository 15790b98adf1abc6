/**
 * Small building blocks of the compact patient store: growable lists of 32-bit integers, a
 * multimap from a 30-bit hash to slots, and the hash itself. A hash may be shared by two keys, so
 * whoever looks a slot up by hash checks the slot's own key.
 */

/** A list of int32 in one typed array that grows by half, so a block of slots costs 4 bytes each. */
export class IntList {
  items: Int32Array;
  length = 0;

  constructor(capacity = 4) {
    this.items = new Int32Array(capacity);
  }

  push(value: number): void {
    if (this.length === this.items.length) {
      const grown = new Int32Array(Math.max(4, Math.ceil(this.items.length * 1.5)));
      grown.set(this.items);
      this.items = grown;
    }
    this.items[this.length++] = value;
  }

  includes(value: number): boolean {
    for (let i = 0; i < this.length; i++) if (this.items[i] === value) return true;
    return false;
  }

  /** Adds `value` where it keeps an ascending list ascending, unless it is there already. */
  insertSorted(value: number): void {
    let at = this.length;
    while (at > 0 && (this.items[at - 1] as number) > value) at--;
    if (at > 0 && this.items[at - 1] === value) return;
    this.push(value);
    this.items.copyWithin(at + 1, at, this.length - 1);
    this.items[at] = value;
  }

  /** Removes every occurrence of `value`, keeping the order of the rest. */
  remove(value: number): void {
    let kept = 0;
    for (let i = 0; i < this.length; i++) {
      const item = this.items[i] as number;
      if (item !== value) this.items[kept++] = item;
    }
    this.length = kept;
  }
}

/** FNV-1a over UTF-16 code units, folded to 30 bits so V8 keeps it as a small integer. */
export function hash30(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h ^ (h >>> 30)) & 0x3fffffff;
}

/** Hash to one slot, or to several in the order they were added; no boxed lists for the common single. */
export class SlotsByHash {
  private readonly map = new Map<number, number | number[]>();

  add(hash: number, slot: number): void {
    const found = this.map.get(hash);
    if (found === undefined) this.map.set(hash, slot);
    else if (typeof found === 'number') {
      if (found !== slot) this.map.set(hash, [found, slot]);
    } else if (!found.includes(slot)) found.push(slot);
  }

  delete(hash: number, slot: number): void {
    const found = this.map.get(hash);
    if (found === slot) this.map.delete(hash);
    else if (Array.isArray(found)) {
      const rest = found.filter((s) => s !== slot);
      if (rest.length === 0) this.map.delete(hash);
      else this.map.set(hash, rest.length === 1 ? (rest[0] as number) : rest);
    }
  }

  /** Slots filed under `hash`, oldest first. */
  get(hash: number): readonly number[] {
    const found = this.map.get(hash);
    return found === undefined ? NONE : typeof found === 'number' ? [found] : found;
  }
}

const NONE: readonly number[] = [];

/**
 * A number remembered for an ordered pair of word numbers (within ±2^24), in one typed array with
 * open addressing: a lookup allocates nothing, and the pair and its value share a cache line. It
 * doubles up to `maxCapacity` pairs, then starts over.
 */
export class PairMemo {
  private capacity: number;
  private size = 0;
  /** `[pair, value]` per entry; a NaN value marks an empty one. */
  private entries: Float64Array;

  constructor(
    private readonly maxCapacity = 1 << 20,
    initialCapacity = 256,
  ) {
    this.capacity = initialCapacity;
    this.entries = new Float64Array(initialCapacity * 2).fill(Number.NaN);
  }

  /** The value for the pair, or NaN when none is remembered. */
  get(first: number, second: number): number {
    const pair = packPair(first, second);
    const { entries } = this;
    const mask = this.capacity - 1;
    for (let at = pairHash(first, second) & mask; ; at = (at + 1) & mask) {
      const value = entries[at * 2 + 1] as number;
      if (Number.isNaN(value) || entries[at * 2] === pair) return value;
    }
  }

  set(first: number, second: number, value: number): void {
    if ((this.size + 1) * 2 > this.capacity) {
      if (this.capacity < this.maxCapacity) this.rehash(this.capacity * 2);
      else this.clear();
    }
    this.put(first, second, value);
  }

  clear(): void {
    this.entries.fill(Number.NaN);
    this.size = 0;
  }

  private put(first: number, second: number, value: number) {
    const pair = packPair(first, second);
    const { entries } = this;
    const mask = this.capacity - 1;
    let at = pairHash(first, second) & mask;
    while (!Number.isNaN(entries[at * 2 + 1] as number) && entries[at * 2] !== pair) {
      at = (at + 1) & mask;
    }
    if (Number.isNaN(entries[at * 2 + 1] as number)) this.size++;
    entries[at * 2] = pair;
    entries[at * 2 + 1] = value;
  }

  private rehash(capacity: number) {
    const old = this.entries;
    this.capacity = capacity;
    this.entries = new Float64Array(capacity * 2).fill(Number.NaN);
    this.size = 0;
    for (let at = 0; at < old.length; at += 2) {
      const value = old[at + 1] as number;
      if (Number.isNaN(value)) continue;
      const pair = old[at] as number;
      this.put(
        Math.floor(pair / PAIR_SHIFT) - PAIR_OFFSET,
        (pair % PAIR_SHIFT) - PAIR_OFFSET,
        value,
      );
    }
  }
}

const PAIR_OFFSET = 2 ** 24;
const PAIR_SHIFT = 2 ** 26;
/** Both numbers in one double, exactly: (first + 2^24) · 2^26 + (second + 2^24) < 2^51. */
const packPair = (first: number, second: number) =>
  (first + PAIR_OFFSET) * PAIR_SHIFT + (second + PAIR_OFFSET);

function pairHash(first: number, second: number): number {
  let h = Math.imul(first, 0x9e3779b1) ^ Math.imul(second ^ 0x7f4a7c15, 0x85ebca77);
  h ^= h >>> 15;
  return h >>> 0;
}
