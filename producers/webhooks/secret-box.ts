import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** How endpoint secrets are kept in the database: sealed with a key it does not hold, or as is. */
export interface SecretBox {
  seal(secret: string): string;
  open(stored: string): string;
}

const SEALED = 'sealed:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM with `key` (32 bytes, from the configuration): a copy of the database alone does
 * not give the secrets away. Without a key, secrets are stored as they are. Secrets stored
 * before a key was configured still open.
 */
export function createSecretBox(key: Buffer | undefined): SecretBox {
  if (key !== undefined && key.length !== 32) throw new Error('the secret key is 32 bytes');
  return {
    seal(secret) {
      if (!key) return secret;
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
      return SEALED + Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64');
    },
    open(stored) {
      if (!stored.startsWith(SEALED)) return stored;
      if (!key) throw new Error('a sealed webhook secret, and no WEBHOOK_SECRET_KEY to open it');
      const raw = Buffer.from(stored.slice(SEALED.length), 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([
        decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    },
  };
}
