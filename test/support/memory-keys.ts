import { randomBytes } from 'node:crypto';
import { createEncryption, type Encryption } from '../../infra/crypto/encryption.ts';
import type { Subject } from '../../infra/crypto/envelope.ts';
import type { KeyStore, StoredKey } from '../../infra/crypto/key-store.ts';

/** The key store in memory, for unit tests: wrapped keys by tenant, subject and version. */
export function memoryKeyStore(): KeyStore & { rows: Map<string, StoredKey> } {
  const rows = new Map<string, StoredKey>();
  const id = (s: Subject, version: number) => `${s.tenantId}|${s.subject}|${version}`;
  return {
    rows,
    async latest(s) {
      return rows.get(id(s, 1)) ?? null;
    },
    async find(s, version) {
      return rows.get(id(s, version)) ?? null;
    },
    async create(s, wrapped) {
      const key = id(s, 1);
      if (!rows.has(key)) rows.set(key, { version: 1, wrapped });
      return rows.get(key) as StoredKey;
    },
    async destroy(tenantId, subjects) {
      for (const subject of subjects)
        rows.set(id({ tenantId, subject }, 1), { version: 1, wrapped: null });
    },
  };
}

/** The encryption port over an in-memory key store and a fresh key-encryption key. */
export function memoryEncryption(kek: Buffer = randomBytes(32)): Encryption {
  return createEncryption({ keys: memoryKeyStore(), kek });
}
