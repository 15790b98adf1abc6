import { readFile } from 'node:fs/promises';
import type { Queryable } from '../postgres.ts';
import { canaryOpens, KEY_BYTES, kekId, sealCanary } from './envelope.ts';
import { KeyEncryptionKeyError } from './errors.ts';
import { placeCanary, readCanary } from './key-store.ts';

/** Where the key-encryption key comes from: the variable wins over the file. */
export interface KekSource {
  /** KEY_ENCRYPTION_KEY: 32 bytes, base64. */
  value: string | undefined;
  /** KEY_ENCRYPTION_KEY_FILE: a file holding the same. */
  file: string;
}

const HOW =
  'KEY_ENCRYPTION_KEY (32 random bytes in base64: openssl rand -base64 32) or KEY_ENCRYPTION_KEY_FILE';

/** The configured key-encryption key; KeyEncryptionKeyError when there is none or it is malformed. */
export async function loadKek(source: KekSource): Promise<Buffer> {
  let text = source.value;
  let from = 'KEY_ENCRYPTION_KEY';
  if (text === undefined) {
    from = `KEY_ENCRYPTION_KEY_FILE (${source.file})`;
    text = await readFile(source.file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw new KeyEncryptionKeyError('KEK_INVALID', `${from} cannot be read: ${error.code}`);
    });
    if (text === undefined) {
      throw new KeyEncryptionKeyError('KEK_MISSING', `no key-encryption key: set ${HOW}`);
    }
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== KEY_BYTES || key.toString('base64') !== text.trim()) {
    throw new KeyEncryptionKeyError(
      'KEK_INVALID',
      `${from} is not ${KEY_BYTES} bytes in base64: set ${HOW}`,
    );
  }
  return key;
}

/**
 * Checks the key-encryption key against the key store's canary, run as the owner at start
 * before anything is sealed. A store with no canary and no keys is new: the canary is placed.
 * A store with keys and no canary, or a canary the key does not open, refuses the start.
 */
export async function checkKek(db: Queryable, kek: Buffer): Promise<'placed' | 'matched'> {
  const { canary, keys } = await readCanary(db);
  const mismatch = () =>
    new KeyEncryptionKeyError(
      'KEK_MISMATCH',
      "the key-encryption key does not match the key store's: restore the key it was made with (KEY_ENCRYPTION_KEY or KEY_ENCRYPTION_KEY_FILE); data sealed under it cannot be read with another",
    );
  if (!canary) {
    if (keys) throw mismatch();
    const placed = await placeCanary(db, { kekId: kekId(kek), sealed: sealCanary(kek) });
    // Another process may have placed its own first.
    if (!canaryOpens(kek, placed.sealed)) throw mismatch();
    return 'placed';
  }
  if (!canaryOpens(kek, canary.sealed)) throw mismatch();
  return 'matched';
}
