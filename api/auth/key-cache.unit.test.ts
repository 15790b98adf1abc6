import { describe, expect, it } from 'vitest';
import { cachedKeyVerifier, cachedTokenVerifier } from './key-cache.ts';
import { type Principal, principal } from './principal.ts';

/** A key store whose answers the test changes, counting the lookups it is asked for. */
function keyStore() {
  const valid = new Map<string, Principal>();
  const store = {
    lookups: 0,
    valid,
    verify: async (key: string) => {
      store.lookups++;
      return valid.get(key) ?? null;
    },
  };
  return store;
}

const clock = () => {
  const c = { at: 1_000, now: () => c.at };
  return c;
};

describe('cachedKeyVerifier', () => {
  it('asks the store once per interval for a key that verified', async () => {
    const store = keyStore();
    const time = clock();
    store.valid.set('k1', principal('key', '1', 'clinic-a', ['reader']));
    const verify = cachedKeyVerifier(store.verify, { ttlMs: 5000, size: 10, now: time.now });

    const first = await verify('k1');
    time.at += 4999;
    const second = await verify('k1');

    expect(first?.tenantId).toBe('clinic-a');
    expect(second).toBe(first);
    expect(store.lookups).toBe(1);
  });

  it('sees a revocation once the interval has passed', async () => {
    const store = keyStore();
    const time = clock();
    store.valid.set('k1', principal('key', '1', 'clinic-a', ['reader']));
    const verify = cachedKeyVerifier(store.verify, { ttlMs: 5000, size: 10, now: time.now });
    await verify('k1');

    store.valid.delete('k1');
    time.at += 5000;

    expect(await verify('k1')).toBeNull();
    expect(store.lookups).toBe(2);
  });

  it('keeps no refusal: a key refused once is asked about again, and works once it exists', async () => {
    const store = keyStore();
    const verify = cachedKeyVerifier(store.verify, { ttlMs: 5000, size: 10, now: clock().now });

    expect(await verify('k2')).toBeNull();
    store.valid.set('k2', principal('key', '2', 'clinic-b', ['uploader']));

    expect((await verify('k2'))?.tenantId).toBe('clinic-b');
    expect(store.lookups).toBe(2);
  });

  it('keeps at most `size` keys, dropping the one verified longest ago', async () => {
    const store = keyStore();
    for (const id of ['a', 'b', 'c']) store.valid.set(id, principal('key', id, 't', ['reader']));
    const verify = cachedKeyVerifier(store.verify, { ttlMs: 5000, size: 2, now: clock().now });

    await verify('a');
    await verify('b');
    await verify('c');
    const before = store.lookups;
    await verify('c');
    await verify('b');
    await verify('a');

    expect(store.lookups - before).toBe(1);
  });

  it('shares one lookup among requests for the same key that arrive while it runs', async () => {
    const store = keyStore();
    store.valid.set('k1', principal('key', '1', 'clinic-a', ['reader']));
    const verify = cachedKeyVerifier(store.verify, { ttlMs: 5000, size: 10, now: clock().now });

    const answers = await Promise.all([verify('k1'), verify('k1'), verify('k1')]);

    expect(answers.every((a) => a?.id === '1')).toBe(true);
    expect(store.lookups).toBe(1);
  });

  it('asks every time when switched off', async () => {
    const store = keyStore();
    store.valid.set('k1', principal('key', '1', 'clinic-a', ['reader']));
    const verify = cachedKeyVerifier(store.verify, { ttlMs: 0, size: 10 });

    await verify('k1');
    await verify('k1');

    expect(store.lookups).toBe(2);
  });
});

describe('cachedTokenVerifier', () => {
  /** An unsigned JWT with `exp` (seconds): the cache reads it only after the token verified. */
  const tokenExpiringAt = (exp: number) =>
    [{ alg: 'none' }, { sub: 'u1', exp }]
      .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
      .join('.')
      .concat('.');

  it('keeps a verified token no longer than its expiry', async () => {
    const store = keyStore();
    const time = clock();
    time.at = 1_000_000;
    const token = tokenExpiringAt(1_002); // 2 s from now
    store.valid.set(token, principal('user', 'u1', 'clinic-a', ['reader']));
    const verify = cachedTokenVerifier(store.verify, { ttlMs: 5000, size: 10, now: time.now });

    await verify(token);
    time.at += 1999;
    await verify(token);
    expect(store.lookups).toBe(1);

    time.at += 1;
    await verify(token);
    expect(store.lookups).toBe(2);
  });
});
