import { describe, expect, it } from 'vitest';
import { createKeyCache } from './key-cache.ts';

const key = (n: number) => Buffer.alloc(32, n);

describe('the data-key cache', () => {
  it('holds at most its size, dropping the least recently used', () => {
    const cache = createKeyCache(2, 60_000);
    cache.set('a', key(1));
    cache.set('b', key(2));
    expect(cache.get('a')).toEqual(key(1));
    cache.set('c', key(3));
    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toEqual(key(1));
    expect(cache.get('c')).toEqual(key(3));
  });

  it('forgets a key after its time to live, and on request by prefix', () => {
    let now = 0;
    const cache = createKeyCache(10, 1000, () => now);
    cache.set('t\u0000patient:1\u00001', key(1));
    cache.set('t\u0000patient:2\u00001', key(2));
    cache.forget('t\u0000patient:1\u0000');
    expect(cache.get('t\u0000patient:1\u00001')).toBeUndefined();
    now = 1000;
    expect(cache.get('t\u0000patient:2\u00001')).toBeUndefined();
  });

  it('keeps nothing when its size is 0', () => {
    const cache = createKeyCache(0, 1000);
    cache.set('a', key(1));
    expect(cache.get('a')).toBeUndefined();
  });
});
