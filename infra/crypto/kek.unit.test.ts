import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canaryOpens, sealCanary } from './envelope.ts';
import { loadKek } from './kek.ts';

describe('the key-encryption key', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'kek-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('comes from the variable before the file', async () => {
    const key = randomBytes(32);
    const file = path.join(dir, 'kek');
    await writeFile(file, `${randomBytes(32).toString('base64')}\n`);
    expect((await loadKek({ value: key.toString('base64'), file })).equals(key)).toBe(true);
    expect((await loadKek({ value: undefined, file })).equals(key)).toBe(false);
  });

  it('when neither is there, then it says what to set', async () => {
    await expect(loadKek({ value: undefined, file: path.join(dir, 'none') })).rejects.toMatchObject(
      {
        code: 'KEK_MISSING',
        message: expect.stringContaining('set KEY_ENCRYPTION_KEY'),
      },
    );
  });

  it('when it is not 32 bytes of base64, then it is refused', async () => {
    for (const value of ['short', randomBytes(16).toString('base64'), `${'A'.repeat(43)}!`]) {
      await expect(loadKek({ value, file: path.join(dir, 'none') })).rejects.toMatchObject({
        code: 'KEK_INVALID',
      });
    }
  });

  it('given a canary sealed with one key, then only that key opens it', () => {
    const right = randomBytes(32);
    const canary = sealCanary(right);
    expect(canaryOpens(right, canary)).toBe(true);
    expect(canaryOpens(randomBytes(32), canary)).toBe(false);
  });
});
