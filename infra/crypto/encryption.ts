import { createHmac } from 'node:crypto';
import type { Transform } from 'node:stream';
import {
  contentAddressKey,
  decodeHeader,
  type Header,
  kekId,
  newDataKey,
  openWith,
  type Subject,
  sealingTransform,
  sealWith,
  unwrapDataKey,
  wrapDataKey,
} from './envelope.ts';
import { CiphertextInvalidError, KeyDestroyedError } from './errors.ts';
import { createKeyCache } from './key-cache.ts';
import type { KeyStore, StoredKey } from './key-store.ts';

/**
 * The one encryption port: envelope encryption with a data key per subject, wrapped by the
 * tenant's key-encryption key. Everything that seals or opens patient data goes through it.
 */
export interface Encryption {
  /** Seals `plaintext` for `subject`; `purpose` (e.g. `blob`) is bound into the ciphertext. */
  encryptFor(subject: Subject, plaintext: Buffer | string, purpose: string): Promise<Buffer>;
  /**
   * Opens a ciphertext of `encryptFor` (or a sealed stream): KeyDestroyedError once its
   * subject's keys are destroyed, CiphertextInvalidError when it was altered or is not for what
   * `expected` says.
   */
  decrypt(
    ciphertext: Buffer,
    expected?: Partial<Pick<Header, 'tenantId' | 'purpose'>>,
  ): Promise<Buffer>;
  /** Destroys every data key of the subjects, in one transaction: what they sealed is gone. */
  destroyKeys(tenantId: string, subjects: readonly string[]): Promise<void>;
  /** A transform that seals the stream through it into one ciphertext, as `encryptFor` would. */
  sealingStream(subject: Subject, purpose: string): Promise<Transform>;
  /** A tenant's address for content of this SHA-256: the same within a tenant, unlinkable across. */
  contentAddress(tenantId: string, sha256: string): string;
}

export interface EncryptionOptions {
  keys: KeyStore;
  /** The configured key-encryption key, already checked against the key store's canary. */
  kek: Buffer;
  cache?: { size: number; ttlMs: number };
}

export function createEncryption({ keys, kek, cache }: EncryptionOptions): Encryption {
  const cached = createKeyCache(cache?.size ?? 1000, cache?.ttlMs ?? 60_000);
  const id = kekId(kek);
  const cacheId = (s: Subject, version: number) =>
    `${s.tenantId}\u0000${s.subject}\u0000${version}`;

  const unwrap = (s: Subject, stored: StoredKey): Buffer => {
    if (stored.wrapped === null) throw new KeyDestroyedError(s.tenantId, s.subject);
    const key = unwrapDataKey(kek, s, stored.version, stored.wrapped);
    cached.set(cacheId(s, stored.version), key);
    return key;
  };

  /** The subject's key to seal with, made on first use. */
  const sealingKey = async (s: Subject): Promise<{ key: Buffer; version: number }> => {
    const hit = cached.get(cacheId(s, 1));
    if (hit) return { key: hit, version: 1 };
    let stored = await keys.latest(s);
    if (!stored) {
      const fresh = newDataKey();
      const wrapped = wrapDataKey(kek, s, 1, fresh);
      // Never store a key that could not be opened again.
      if (!unwrapDataKey(kek, s, 1, wrapped).equals(fresh))
        throw new Error('key wrap check failed');
      stored = await keys.create(s, wrapped, id);
    }
    return { key: unwrap(s, stored), version: stored.version };
  };

  const openingKey = async (header: Header): Promise<Buffer> => {
    const hit = cached.get(cacheId(header, header.keyVersion));
    if (hit) return hit;
    const stored = await keys.find(header, header.keyVersion);
    if (!stored)
      throw new CiphertextInvalidError(`no data key ${header.subject} v${header.keyVersion}`);
    try {
      return unwrap(header, stored);
    } catch (error) {
      if (error instanceof KeyDestroyedError) throw error;
      throw new CiphertextInvalidError('its data key does not open', { cause: error });
    }
  };

  return {
    async encryptFor(s, plaintext, purpose) {
      const { key, version } = await sealingKey(s);
      const bytes = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
      return sealWith(key, { ...s, purpose, keyVersion: version }, bytes);
    },

    async decrypt(ciphertext, expected = {}) {
      const { header, length } = decodeHeader(ciphertext);
      for (const name of ['tenantId', 'purpose'] as const) {
        const want = expected[name];
        if (want !== undefined && header[name] !== want) {
          throw new CiphertextInvalidError(`sealed for another ${name}`);
        }
      }
      return openWith(await openingKey(header), ciphertext, length);
    },

    async destroyKeys(tenantId, subjects) {
      await keys.destroy(tenantId, subjects);
      for (const subject of subjects) cached.forget(`${tenantId}\u0000${subject}\u0000`);
    },

    async sealingStream(s, purpose) {
      const { key, version } = await sealingKey(s);
      return sealingTransform(key, { ...s, purpose, keyVersion: version });
    },

    contentAddress(tenantId, sha256) {
      return createHmac('sha256', contentAddressKey(kek, tenantId)).update(sha256).digest('hex');
    },
  };
}
