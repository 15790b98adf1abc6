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
