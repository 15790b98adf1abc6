import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Pool } from '../../infra/postgres.ts';
import { type Principal, principal, type Role } from './principal.ts';

/**
 * API keys for machines: `dsk_<id>_<secret>`. Only the SHA-256 of the whole key is stored; the
 * secret is 256 random bits, so a fast hash is enough (nothing to guess from it). Each key is
 * bound to one tenant and a set of roles, expires, and can be revoked.
 */
const KEY_PATTERN = /^dsk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export const looksLikeApiKey = (credential: string) => credential.startsWith('dsk_');

export interface ApiKeyInfo {
  id: string;
  tenantId: string;
  roles: Role[];
  name: string | null;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

const hashOf = (key: string) => createHash('sha256').update(key).digest();

export interface ApiKeyStore {
  create(request: {
    tenantId: string;
    roles: readonly Role[];
    name?: string | null;
    expiresAt: Date;
  }): Promise<{ id: string; key: string }>;
  list(tenantId?: string): Promise<ApiKeyInfo[]>;
  /** True when the key existed and was not revoked yet. */
  revoke(id: string): Promise<boolean>;
  /** The principal a key names, or null for a malformed, unknown, expired or revoked key. */
  verify(key: string, now?: Date): Promise<Principal | null>;
}

interface KeyRow {
  key_id: string;
  tenant_id: string;
  roles: Role[];
  name: string | null;
  key_hash: Buffer;
  created_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
}

export function createApiKeyStore(pool: Pool): ApiKeyStore {
  return {
    async create({ tenantId, roles, name = null, expiresAt }) {
      const id = randomUUID().replaceAll('-', '').slice(0, 16);
      const key = `dsk_${id}_${randomBytes(32).toString('base64url')}`;
      await pool.query(
        `INSERT INTO write_side.api_keys (key_id, tenant_id, roles, name, key_hash, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [id, tenantId, roles, name, hashOf(key), expiresAt],
      );
      return { id, key };
    },

    async list(tenantId) {
      const { rows } = await pool.query<KeyRow>(
        `SELECT * FROM write_side.api_keys WHERE $1::text IS NULL OR tenant_id = $1
         ORDER BY created_at, key_id`,
        [tenantId ?? null],
      );
      return rows.map((r) => ({
        id: r.key_id,
        tenantId: r.tenant_id,
        roles: r.roles,
        name: r.name,
        createdAt: r.created_at.toISOString(),
        expiresAt: r.expires_at.toISOString(),
        revokedAt: r.revoked_at?.toISOString() ?? null,
      }));
    },

    async revoke(id) {
      const { rowCount } = await pool.query(
        `UPDATE write_side.api_keys SET revoked_at = now() WHERE key_id = $1 AND revoked_at IS NULL`,
        [id],
      );
      return rowCount === 1;
    },

    async verify(key, now = new Date()) {
      const match = KEY_PATTERN.exec(key);
      if (!match?.[1]) return null;
      const { rows } = await pool.query<KeyRow>(
        'SELECT * FROM write_side.api_keys WHERE key_id = $1',
        [match[1]],
      );
      const row = rows[0];
      if (!row || !timingSafeEqual(row.key_hash, hashOf(key))) return null;
      if (row.revoked_at || row.expires_at <= now) return null;
      return principal('key', row.key_id, row.tenant_id, row.roles);
    },
  };
}
