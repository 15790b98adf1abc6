import { loadConfig } from '../infra/config.ts';
import { canaryOpens, tenantKek } from '../infra/crypto/envelope.ts';
import { loadKek } from '../infra/crypto/kek.ts';
import { readCanary } from '../infra/crypto/key-store.ts';
import { createPool } from '../infra/postgres.ts';

// `npm run --silent tenant-kek -- <tenant>`: prints the tenant's key-encryption key (base64), for
// a downstream system that decrypts that tenant's data with createTenantDecryptor. It opens that
// tenant's data keys and no other's. Treat it as the secret it is.
const tenantId = process.argv[2];
if (!tenantId || !/^[A-Za-z0-9_-]+$/.test(tenantId)) {
  process.stderr.write('usage: npm run --silent tenant-kek -- <tenant>\n');
  process.exit(2);
}
const config = loadConfig();
const pool = createPool(config.database.url, 1);
try {
  const kek = await loadKek(config.keys.kek);
  const { canary } = await readCanary(pool);
  if (!canary || !canaryOpens(kek, canary.sealed)) {
    throw new Error("the key-encryption key does not match the key store's (or it has none yet)");
  }
  process.stdout.write(`${tenantKek(kek, tenantId).toString('base64')}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
