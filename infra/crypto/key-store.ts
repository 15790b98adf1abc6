import type pg from 'pg';
import type { Queryable } from '../postgres.ts';
import type { Subject } from './envelope.ts';

/** A data key as the store keeps it: wrapped, or a tombstone once destroyed. */
export type StoredKey =
  | { readonly version: number; readonly wrapped: Buffer }
  | { readonly version: number; readonly wrapped: null };

/** The narrow port the encryption service needs of the key store. */
export interface KeyStore {
  /** The subject's latest key, or null when it has none yet. */
  latest(subject: Subject): Promise<StoredKey | null>;
  find(subject: Subject, version: number): Promise<StoredKey | null>;
  /**
   * Stores `wrapped` as the subject's first key unless one is there (or its tombstone): the
   * winner of a race is returned, so two writers never seal with different keys.
   */
  create(subject: Subject, wrapped: Buffer, kekId: string): Promise<StoredKey>;
  /** Destroys every key of each subject in one transaction; marks subjects that had none. */
  destroy(tenantId: string, subjects: readonly string[]): Promise<void>;
}

type KeyRow = { version: number; wrapped: Buffer | null };

/** The key store in PostgreSQL (schema keystore), reached as the key service's role. */
export function createPgKeyStore(pool: pg.Pool): KeyStore {
  const one = async (db: Queryable, text: string, values: unknown[]) => {
    const { rows } = await db.query<KeyRow>(text, values);
    return rows[0] ?? null;
  };
  return {
    latest: (s) =>
      one(
        pool,
        `SELECT version, wrapped FROM keystore.data_keys WHERE tenant_id = $1 AND subject = $2
         ORDER BY version DESC LIMIT 1`,
        [s.tenantId, s.subject],
      ),
    find: (s, version) =>
      one(
        pool,
        `SELECT version, wrapped FROM keystore.data_keys
         WHERE tenant_id = $1 AND subject = $2 AND version = $3`,
        [s.tenantId, s.subject, version],
      ),
    async create(s, wrapped, kekId) {
      const inserted = await one(
        pool,
        `INSERT INTO keystore.data_keys (tenant_id, subject, version, wrapped, kek_id)
         VALUES ($1, $2, 1, $3, $4) ON CONFLICT DO NOTHING RETURNING version, wrapped`,
        [s.tenantId, s.subject, wrapped, kekId],
      );
      const stored = inserted ?? (await this.latest(s));
      if (!stored) throw new Error('a data key vanished as it was stored');
      return stored;
    },
    async destroy(tenantId, subjects) {
      if (subjects.length === 0) return;
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        // A subject with no key yet gets a tombstone, so none is ever made for it after.
        await client.query(
          `INSERT INTO keystore.data_keys (tenant_id, subject, version, wrapped, destroyed_at)
           SELECT $1, s, 1, NULL, now() FROM unnest($2::text[]) AS s
           ON CONFLICT (tenant_id, subject, version)
           DO UPDATE SET wrapped = NULL, destroyed_at = now()
           WHERE keystore.data_keys.wrapped IS NOT NULL`,
          [tenantId, subjects],
        );
        await client.query(
          `UPDATE keystore.data_keys SET wrapped = NULL, destroyed_at = now()
           WHERE tenant_id = $1 AND subject = ANY($2::text[]) AND wrapped IS NOT NULL`,
          [tenantId, subjects],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
  };
}

export interface Canary {
  kekId: string;
  sealed: Buffer;
}

/** The canary and whether any data key exists, read as the owner at start. */
export async function readCanary(db: Queryable): Promise<{ canary: Canary | null; keys: boolean }> {
  const { rows } = await db.query<{ kek_id: string; sealed: Buffer }>(
    'SELECT kek_id, sealed FROM keystore.kek_canary',
  );
  const { rows: keys } = await db.query('SELECT 1 FROM keystore.data_keys LIMIT 1');
  const row = rows[0];
  return { canary: row ? { kekId: row.kek_id, sealed: row.sealed } : null, keys: keys.length > 0 };
}

/** Stores the canary unless one is there; returns the one that is. */
export async function placeCanary(db: Queryable, canary: Canary): Promise<Canary> {
  await db.query(
    'INSERT INTO keystore.kek_canary (kek_id, sealed) VALUES ($1, $2) ON CONFLICT DO NOTHING',
    [canary.kekId, canary.sealed],
  );
  const { canary: stored } = await readCanary(db);
  if (!stored) throw new Error('the key store canary vanished as it was stored');
  return stored;
}
