import pg from 'pg';
import { decodeHeader, type Header, KEY_BYTES, openWith, unwrapWithTenantKek } from './envelope.ts';
import { CiphertextInvalidError, KeyDestroyedError } from './errors.ts';
import { createKeyCache } from './key-cache.ts';
import { openParts } from './sealed-events.ts';

/**
 * Decryption for a system downstream of docstream that reads one tenant's sealed data (a
 * ciphertext field of an event, a blob): it holds that tenant's key-encryption key (derived by
 * docstream from its own; see README, "Keys") and a database role that may read
 * keystore.data_keys, nothing else. It can neither make nor destroy keys, and the key of one
 * tenant opens no other tenant's data keys.
 *
 *   const keys = createTenantDecryptor({ databaseUrl, tenantId: 'clinic-1', tenantKek });
 *   const text = (await keys.decrypt(ciphertext)).toString('utf8');
 *   await keys.close();
 *
 * decrypt throws KeyDestroyedError once the subject was erased (treat as gone, not as a
 * failure), CiphertextInvalidError for altered bytes or another tenant's.
 */
export function createTenantDecryptor(options: {
  databaseUrl: string;
  tenantId: string;
  /** 32 bytes. */
  tenantKek: Buffer;
  cacheSize?: number;
}) {
  if (options.tenantKek.length !== KEY_BYTES) throw new RangeError('a tenant key is 32 bytes');
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 2 });
  const cache = createKeyCache(options.cacheSize ?? 1000, 60_000);
  const dataKey = async (h: Header) => {
    const id = `${h.subject}\u0000${h.keyVersion}`;
    const hit = cache.get(id);
    if (hit) return hit;
    const { rows } = await pool.query<{ wrapped: Buffer | null }>(
      `SELECT wrapped FROM keystore.data_keys
       WHERE tenant_id = $1 AND subject = $2 AND version = $3`,
      [h.tenantId, h.subject, h.keyVersion],
    );
    const row = rows[0];
    if (!row) throw new CiphertextInvalidError(`no data key ${h.subject} v${h.keyVersion}`);
    if (!row.wrapped) throw new KeyDestroyedError(h.tenantId, h.subject);
    const key = unwrapWithTenantKek(options.tenantKek, h, h.keyVersion, row.wrapped);
    cache.set(id, key);
    return key;
  };
  return {
    /** What a ciphertext says of itself (tenant, subject, purpose, key version): no key needed. */
    describe: (ciphertext: Buffer): Header => decodeHeader(ciphertext).header,
    async decrypt(ciphertext: Buffer): Promise<Buffer> {
      const { header, length } = decodeHeader(ciphertext);
      if (header.tenantId !== options.tenantId) {
        throw new CiphertextInvalidError('sealed for another tenant');
      }
      return openWith(await dataKey(header), ciphertext, length);
    },
    close: () => pool.end(),
  };
}

/**
 * The data of an event as docstream meant it, for a consumer that decoded the Avro record itself
 * (any client, the schema from the registry): its `sealed` parts opened with the tenant's
 * decryptor and put back in place of the blanks. Fields of an erased subject stay blank;
 * altered parts throw UndecodableEventError. See infra/crypto/sealed-events.ts and the README.
 *
 *   const record = await registry.decode(message.value); // { envelope, data, sealed? }
 *   const data = await openSealedEvent(keys, record);
 */
export function openSealedEvent(
  decryptor: Pick<ReturnType<typeof createTenantDecryptor>, 'decrypt'>,
  record: {
    envelope: { tenantId: string; eventId: string };
    data: unknown;
    sealed?: readonly { keyRef: string; ciphertext: Buffer }[];
  },
): Promise<unknown> {
  if (!record.sealed?.length) return Promise.resolve(record.data);
  return openParts(record.data, record.sealed, record.envelope, (c) => decryptor.decrypt(c));
}
