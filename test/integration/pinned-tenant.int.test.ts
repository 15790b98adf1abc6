import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../infra/logger.ts';
import { createPool, migrate, type Pool, pinnedTenantDatabase } from '../../infra/postgres.ts';
import { createTestEnvironment, type TestEnvironment } from '../support/environment.ts';

const PAGE = `INSERT INTO document_pages (tenant_id, document_id, page, round, method, confidence, text)
              VALUES ($1, $2, 1, 1, 'plain-text', 1, 'texto')`;
const DOCUMENT_IDS = 'SELECT document_id FROM document_pages ORDER BY document_id';

describe('pinnedTenantDatabase: one round trip a query, still one tenant a query', () => {
  let env: TestEnvironment;
  let owner: Pool;
  let app: Pool;

  beforeAll(async () => {
    env = await createTestEnvironment();
    await migrate(env.config.database, createLogger('warn'));
    owner = createPool(env.config.database.url, 1);
    await owner.query(PAGE, ['clinic-a', 'doc-a']);
    await owner.query(PAGE, ['clinic-b', 'doc-b']);
    // One connection: every query below reuses it, pinned to one tenant after another.
    app = createPool(env.config.database.appUrl, 1);
  });
  afterAll(async () => {
    await app?.end();
    await owner?.end();
    await env?.cleanup();
  });

  it('sees only the tenant it is asked for, as the tenant changes on the same connection', async () => {
    const db = pinnedTenantDatabase(app);
    const seen: string[][] = [];
    for (const tenant of ['clinic-a', 'clinic-a', 'clinic-b', 'clinic-a', 'clinic-b']) {
      const { rows } = await db(tenant).query<{ document_id: string }>(DOCUMENT_IDS);
      seen.push(rows.map((r) => r.document_id));
    }
    expect(seen).toEqual([['doc-a'], ['doc-a'], ['doc-b'], ['doc-a'], ['doc-b']]);
  });

  it('follows the tenant asked for on one and the same connection', async () => {
    const db = pinnedTenantDatabase(app);
    await db('clinic-a').query('SELECT 1');
    const pid = async (tenant: string) =>
      (
        await db(tenant).query<{ pid: number; tenant: string }>(
          "SELECT pg_backend_pid() AS pid, current_setting('docstream.tenant_id') AS tenant",
        )
      ).rows[0];
    const first = await pid('clinic-a');
    const second = await pid('clinic-b');
    expect(first).toMatchObject({ tenant: 'clinic-a' });
    expect(second).toMatchObject({ tenant: 'clinic-b', pid: first?.pid });
  });

  it('keeps the connection and its tenant after a query fails', async () => {
    const db = pinnedTenantDatabase(app);
    await expect(db('clinic-b').query('SELECT * FROM no_such_table')).rejects.toThrow();
    const { rows } = await db('clinic-b').query<{ document_id: string }>(DOCUMENT_IDS);
    expect(rows.map((r) => r.document_id)).toEqual(['doc-b']);
  });
});
