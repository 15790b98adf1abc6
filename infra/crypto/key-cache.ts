/**
 * Unwrapped data keys, most recently used last, at most `size` of them, each for `ttlMs`: a key
 * another process destroyed stops being usable here within the ttl.
 */
export function createKeyCache(size: number, ttlMs: number, now: () => number = Date.now) {
  const entries = new Map<string, { key: Buffer; until: number }>();
  return {
    get(id: string): Buffer | undefined {
      const entry = entries.get(id);
      if (!entry) return undefined;
      entries.delete(id);
      if (entry.until <= now()) return undefined;
      entries.set(id, entry);
      return entry.key;
    },
    set(id: string, key: Buffer) {
      if (size === 0) return;
      entries.delete(id);
      entries.set(id, { key, until: now() + ttlMs });
      for (const oldest of entries.keys()) {
        if (entries.size <= size) break;
        entries.delete(oldest);
      }
    },
    /** Forgets every key whose id starts with `prefix`. */
    forget(prefix: string) {
      for (const id of entries.keys()) if (id.startsWith(prefix)) entries.delete(id);
    },
    get size() {
      return entries.size;
    },
  };
}
