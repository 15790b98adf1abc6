import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenantDecryptor } from '../../infra/crypto/downstream.ts';
import { createEncryption, type Encryption } from '../../infra/crypto/encryption.ts';
import { patientSubject, tenantKek } from '../../infra/crypto/envelope.ts';
import { KeyDestroyedError } from '../../infra/crypto/errors.ts';
import { checkKek } from '../../infra/crypto/kek.ts';
import { createPgKeyStore } from '../../infra/crypto/key-store.ts';
import { startKeyService } from '../../infra/crypto/service.ts';
import { createLogger } from '../../infra/logger.ts';
import { createPool, migrate } from '../../infra/postgres.ts';
import { createTestEnvironment, eventually, type TestEnvironment } from '../support/environment.ts';

const TENANT = 'clinic-k';

describe('the key store in PostgreSQL', () => {
  let env: TestEnvironment;
  let owner: pg.Pool;
  let app: pg.Pool;
  let keysRole: pg.Pool;
  let kek: Buffer;
  let encryption: Encryption;

  beforeAll(async () => {
    env = await createTestEnvironment();
    await migrate(env.config.database, createLogger('silent'));
    owner = createPool(env.config.database.url, 4);
    app = createPool(env.config.database.appUrl, 2);
    keysRole = createPool(env.config.database.keysUrl, 4);
    kek = Buffer.from(env.env.KEY_ENCRYPTION_KEY as string, 'base64');
    expect(await checkKek(owner, kek)).toBe('placed');
    encryption = createEncryption({ keys: createPgKeyStore(keysRole), kek });
  });
  afterAll(async () => {
    await Promise.all([owner?.end(), app?.end(), keysRole?.end()]);
    await env?.cleanup();
  });

  const errorCode = (work: Promise<unknown>) =>
    work.then(
      () => 'allowed',
      (error: { code?: string }) => error.code,
    );

  it('gives the key material to the key service role alone, never to the app role', async () => {
    await encryption.encryptFor(patientSubject(TENANT, 'p-1'), 'x', 'test');
    const denied = '42501';
    expect(await errorCode(app.query('SELECT wrapped FROM keystore.data_keys'))).toBe(denied);
    expect(await errorCode(app.query('SELECT sealed FROM keystore.kek_canary'))).toBe(denied);
    expect(
      await errorCode(
        app.query(`INSERT INTO keystore.data_keys (tenant_id, subject, version, wrapped)
                   VALUES ('t', 's', 1, '\\x00')`),
      ),
    ).toBe(denied);
    // The key service reads and adds keys, but deletes nothing and touches no canary or read model.
    const { rows } = await keysRole.query('SELECT count(*)::int AS n FROM keystore.data_keys');
    expect(rows[0].n).toBe(1);
    expect(await errorCode(keysRole.query('DELETE FROM keystore.data_keys'))).toBe(denied);
    expect(await errorCode(keysRole.query('DELETE FROM keystore.kek_canary'))).toBe(denied);
    expect(await errorCode(keysRole.query('SELECT 1 FROM documents LIMIT 1'))).toBe(denied);
    expect(await errorCode(keysRole.query('SELECT 1 FROM write_side.api_keys LIMIT 1'))).toBe(
      denied,
    );
  });

  it('stores only wrapped keys: the raw data key is nowhere in the row', async () => {
    const { rows } = await owner.query<{ wrapped: Buffer; kek_id: string }>(
      `SELECT wrapped, kek_id FROM keystore.data_keys WHERE tenant_id = $1 AND subject = 'patient:p-1'`,
      [TENANT],
    );
    expect(rows[0]?.wrapped.length).toBe(12 + 32 + 16);
    expect(rows[0]?.kek_id).toMatch(/^[0-9a-f]{16}$/);
  });

  it('keeps one key for a new subject that several writers seal for at once', async () => {
    const writers = Array.from({ length: 4 }, () =>
      createEncryption({ keys: createPgKeyStore(keysRole), kek }),
    );
    const subject = patientSubject(TENANT, 'p-race');
    const sealed = await Promise.all(writers.map((w, i) => w.encryptFor(subject, `w${i}`, 'test')));
    const { rows } = await owner.query(
      'SELECT count(*)::int AS n FROM keystore.data_keys WHERE tenant_id = $1 AND subject = $2',
      [TENANT, subject.subject],
    );
    expect(rows[0].n).toBe(1);
    const opened = await Promise.all(sealed.map((c) => encryption.decrypt(c)));
    expect(opened.map((b) => b.toString())).toEqual(['w0', 'w1', 'w2', 'w3']);
  });

  it('destroys the keys of several subjects in one transaction', async () => {
    const subjects = ['patient:p-2', 'patient:p-3'];
    const sealed = await Promise.all(
      subjects.map((s) => encryption.encryptFor({ tenantId: TENANT, subject: s }, s, 'test')),
    );
    // Hold one of the rows: the destroying transaction waits on it, with nothing visible meanwhile.
    const holder = await owner.connect();
    await holder.query('BEGIN');
    await holder.query(
      `SELECT 1 FROM keystore.data_keys WHERE tenant_id = $1 AND subject = 'patient:p-3' FOR UPDATE`,
      [TENANT],
    );
    const destroying = encryption.destroyKeys(TENANT, subjects);
    await eventually(async () => {
      const { rows } = await owner.query(
        `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`,
      );
      expect(rows.length).toBeGreaterThan(0);
    });
    const { rows: live } = await owner.query(
      `SELECT subject FROM keystore.data_keys
       WHERE tenant_id = $1 AND subject = ANY($2) AND wrapped IS NOT NULL ORDER BY subject`,
      [TENANT, subjects],
    );
    expect(live.map((r) => r.subject)).toEqual(subjects);
    await holder.query('COMMIT');
    holder.release();
    await destroying;

    const { rows: gone } = await owner.query(
      `SELECT subject, wrapped, destroyed_at FROM keystore.data_keys
       WHERE tenant_id = $1 AND subject = ANY($2) ORDER BY subject`,
      [TENANT, subjects],
    );
    expect(gone.map((r) => [r.subject, r.wrapped, r.destroyed_at instanceof Date])).toEqual([
      ['patient:p-2', null, true],
      ['patient:p-3', null, true],
    ]);
    // Neither the process that destroyed them nor a fresh one opens what they sealed.
    const fresh = createEncryption({ keys: createPgKeyStore(keysRole), kek });
    for (const ciphertext of sealed) {
      await expect(fresh.decrypt(ciphertext)).rejects.toBeInstanceOf(KeyDestroyedError);
      await expect(encryption.decrypt(ciphertext)).rejects.toBeInstanceOf(KeyDestroyedError);
    }
  });

  it('refuses a wrong key-encryption key at start and writes nothing with it', async () => {
    const before = await owner.query('SELECT count(*)::int AS n FROM keystore.data_keys');
    const wrong = {
      ...env.config.keys,
      kek: { value: randomBytes(32).toString('base64'), file: '/none' },
    };
    await expect(startKeyService({ ...env.config, keys: wrong }, owner)).rejects.toMatchObject({
      code: 'KEK_MISMATCH',
      message: expect.stringContaining("the key-encryption key does not match the key store's"),
    });
    const after = await owner.query('SELECT count(*)::int AS n FROM keystore.data_keys');
    expect(after.rows[0].n).toBe(before.rows[0].n);
    expect(await checkKek(owner, kek)).toBe('matched');
  });

  it('refuses a store that has keys but lost its canary', async () => {
    const db = await owner.connect();
    try {
      await db.query('BEGIN');
      await db.query('DELETE FROM keystore.kek_canary');
      await expect(checkKek(db, kek)).rejects.toMatchObject({ code: 'KEK_MISMATCH' });
    } finally {
      await db.query('ROLLBACK');
      db.release();
    }
  });

  it('lets a downstream consumer with its tenant key decrypt that tenant only', async () => {
    const sealed = await encryption.encryptFor(patientSubject(TENANT, 'p-4'), 'LÓPEZ', 'test');
    const other = await encryption.encryptFor(patientSubject('clinic-z', 'p-5'), 'x', 'test');
    const downstream = createTenantDecryptor({
      databaseUrl: env.config.database.keysUrl,
      tenantId: TENANT,
      tenantKek: tenantKek(kek, TENANT),
    });
    try {
      expect(downstream.describe(sealed)).toMatchObject({
        subject: 'patient:p-4',
        purpose: 'test',
      });
      expect((await downstream.decrypt(sealed)).toString('utf8')).toBe('LÓPEZ');
      await expect(downstream.decrypt(other)).rejects.toThrow(/another tenant/);
      await encryption.destroyKeys(TENANT, ['patient:p-4']);
      const again = createTenantDecryptor({
        databaseUrl: env.config.database.keysUrl,
        tenantId: TENANT,
        tenantKek: tenantKek(kek, TENANT),
      });
      await expect(again.decrypt(sealed)).rejects.toBeInstanceOf(KeyDestroyedError);
      await again.close();
    } finally {
      await downstream.close();
    }
  });
});
