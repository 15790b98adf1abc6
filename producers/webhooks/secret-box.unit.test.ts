import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newWebhookSecret } from './endpoints.ts';
import { createSecretBox } from './secret-box.ts';

describe('webhook secret box', () => {
  const secret = newWebhookSecret();

  it('seals a secret so that only its key opens it', () => {
    const key = randomBytes(32);
    const sealed = createSecretBox(key).seal(secret);
    expect(sealed).toMatch(/^sealed:v1:/);
    expect(sealed).not.toContain(secret.slice(6));
    expect(createSecretBox(key).open(sealed)).toBe(secret);
    expect(() => createSecretBox(randomBytes(32)).open(sealed)).toThrow();
    expect(() => createSecretBox(undefined).open(sealed)).toThrow(/WEBHOOK_SECRET_KEY/);
  });

  it('keeps secrets as they are without a key, and opens those once a key is set', () => {
    expect(createSecretBox(undefined).seal(secret)).toBe(secret);
    expect(createSecretBox(randomBytes(32)).open(secret)).toBe(secret);
  });
});
