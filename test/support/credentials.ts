import { createApiKeyStore } from '../../api/auth/api-keys.ts';
import { ROLES, type Role } from '../../api/auth/principal.ts';
import { createPool } from '../../infra/postgres.ts';

/**
 * A fresh API key for `tenantId` with `roles` (every role by default), stored in the database at
 * `databaseUrl` (whose migrations have run, as a started system's have).
 */
export async function issueKey(
  databaseUrl: string,
  tenantId: string,
  roles: readonly Role[] = ROLES,
  expiresAt = new Date(Date.now() + 86_400_000),
): Promise<{ id: string; key: string }> {
  const pool = createPool(databaseUrl, 1);
  try {
    return await createApiKeyStore(pool).create({ tenantId, roles, expiresAt });
  } finally {
    await pool.end();
  }
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
