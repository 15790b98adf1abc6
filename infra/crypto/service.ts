import type { Config } from '../config.ts';
import { createPool, type Queryable } from '../postgres.ts';
import { createEncryption, type Encryption } from './encryption.ts';
import { checkKek, loadKek } from './kek.ts';
import { createPgKeyStore } from './key-store.ts';

export interface KeyService {
  encryption: Encryption;
  close(): Promise<void>;
}

/**
 * The key service as the system starts it: loads the key-encryption key, checks it against the
 * key store's canary (as the owner, `ownerDb`) and connects as the key service's role. It throws
 * KeyEncryptionKeyError, before anything is sealed, when the key is missing or not the store's.
 */
export async function startKeyService(
  config: Pick<Config, 'keys' | 'database'>,
  ownerDb: Queryable,
): Promise<KeyService> {
  const kek = await loadKek(config.keys.kek);
  await checkKek(ownerDb, kek);
  const pool = createPool(config.database.keysUrl, 4);
  return {
    encryption: createEncryption({ keys: createPgKeyStore(pool), kek, cache: config.keys.cache }),
    close: () => pool.end(),
  };
}
