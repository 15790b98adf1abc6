import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import type { Logger } from './logger.ts';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
/** What a read needs of the database: a pool, a client in a transaction, or a tenant's scope. */
export interface Queryable {
  // biome-ignore lint/suspicious/noExplicitAny: pg's own default row type, so a pool still fits
  query<R extends pg.QueryResultRow = any>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>;
}

/**
 * The setting each transaction of the API and the projections sets to its tenant. The row-level
 * security policies on every tenant-scoped table (migrations) compare `tenant_id` with it, so a
 * query that forgets its tenant filter still sees only that tenant's rows.
 */
export const TENANT_SETTING = 'docstream.tenant_id';

/** The connection parts of the database config. */
export interface DatabaseRoles {
  url: string;
  appRole: string;
  appPassword: string | undefined;
  /** The key service's role: made and granted the key store when given. */
  keysRole?: string;
  keysPassword?: string | undefined;
}

/**
 * The write side's own state: what each command checks and claims in the transaction that
 * appends its event (round numbers, first documents per content, resolutions, merges, batch
 * sessions and completions). It is not folded from the log and cannot be rebuilt from it.
 */
export const WRITE_SIDE_SCHEMA = 'write_side';
/** The read models and their checkpoints: everything in it is folded from the log. */
export const READ_MODEL_SCHEMA = 'public';
/** Wrapped data keys and the key-encryption key's canary (infra/crypto). */
export const KEY_STORE_SCHEMA = 'keystore';

interface MigrationSet {
  name: string;
  dir: string;
  /** Where the set's own record of applied migrations lives. */
  schema: string;
}

const WRITE_SIDE_MIGRATIONS: MigrationSet = {
  name: 'write-side',
  dir: fileURLToPath(new URL('../producers/migrations', import.meta.url)),
  schema: WRITE_SIDE_SCHEMA,
};
const KEY_STORE_MIGRATIONS: MigrationSet = {
  name: 'key-store',
  dir: fileURLToPath(new URL('./crypto/migrations', import.meta.url)),
  schema: KEY_STORE_SCHEMA,
};
const READ_MODEL_MIGRATIONS: MigrationSet = {
  name: 'read-models',
  dir: fileURLToPath(new URL('../projections/migrations', import.meta.url)),
  schema: READ_MODEL_SCHEMA,
};

export function createPool(url: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, application_name: 'docstream' });
  // An idle connection the server closed (a restart, a terminated backend) is dropped by the
  // pool and the next query opens another; unheard, the error would end the process.
  pool.on('error', () => {});
  // The pool hears only idle connections: one checked out between two queries (a transaction
  // waiting on Kafka, a held session) would end the process too. Its next query fails instead, and
  // the pool drops it on release, as it is no longer queryable.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

/**
 * Brings both schemas up to date, the write side first: it moves its tables out of the read-model
 * schema in databases made before the two were apart. node-pg-migrate waits on an advisory lock,
 * so racing starts are safe.
 */
export async function migrate(database: DatabaseRoles, logger: Logger): Promise<void> {
  await migrateWriteSide(database.url, logger);
  await runMigrations(database.url, logger, KEY_STORE_MIGRATIONS);
  await migrateReadModels(database.url, logger);
  await grantAppRole(database);
  if (database.keysRole)
    await grantKeyStoreRole(database.url, database.keysRole, database.keysPassword);
}

export const migrateWriteSide = (url: string, logger: Logger) =>
  runMigrations(url, logger, WRITE_SIDE_MIGRATIONS);

export const migrateReadModels = (url: string, logger: Logger) =>
  runMigrations(url, logger, READ_MODEL_MIGRATIONS);

const DUPLICATE = new Set(['42710', '23505']);

/**
 * Makes the role the API and the projections connect as (unless it exists: where a DBA made it,
 * the owner needs no CREATEROLE) and gives it the rows, never the tables: it may read and write
 * them, under their row-level security, but not alter them, not read the migrations' records,
 * and only read the API keys, which the keys command writes as the owner.
 */
export async function grantAppRole({ url, appRole, appPassword }: DatabaseRoles): Promise<void> {
  const client = new pg.Client({ connectionString: url, application_name: 'docstream' });
  await client.connect();
  try {
    const role = client.escapeIdentifier(appRole);
    const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [appRole]);
    if (rowCount === 0) {
      const password = appPassword ? ` PASSWORD ${client.escapeLiteral(appPassword)}` : '';
      await client.query(`CREATE ROLE ${role} LOGIN${password}`).catch((error: unknown) => {
        // Another process made it first.
        if (!DUPLICATE.has((error as { code?: string }).code ?? '')) throw error;
      });
    }
    const schemas = `${READ_MODEL_SCHEMA}, ${WRITE_SIDE_SCHEMA}`;
    await client.query(`
      GRANT USAGE ON SCHEMA ${schemas} TO ${role};
      GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schemas} TO ${role};
      GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${schemas} TO ${role};
      REVOKE ALL ON ${READ_MODEL_SCHEMA}.pgmigrations, ${WRITE_SIDE_SCHEMA}.pgmigrations FROM ${role};
      REVOKE INSERT, UPDATE, DELETE ON ${WRITE_SIDE_SCHEMA}.api_keys FROM ${role};`);
  } finally {
    await client.end();
  }
}

/**
 * Makes the key service's role (unless it exists) and gives it the key store alone: it reads and
 * adds data keys and destroys them (a tombstone update; never a delete), reads the canary, and
 * sees nothing else. The app role, which serves the read models, gets no grant on the key store.
 */
export async function grantKeyStoreRole(
  url: string,
  keysRole: string,
  keysPassword: string | undefined,
): Promise<void> {
  const client = new pg.Client({ connectionString: url, application_name: 'docstream' });
  await client.connect();
  try {
    const role = client.escapeIdentifier(keysRole);
    await ensureRole(client, keysRole, keysPassword);
    await client.query(`
      GRANT USAGE ON SCHEMA ${KEY_STORE_SCHEMA} TO ${role};
      GRANT SELECT, INSERT, UPDATE ON ${KEY_STORE_SCHEMA}.data_keys TO ${role};
      GRANT SELECT ON ${KEY_STORE_SCHEMA}.kek_canary TO ${role};`);
  } finally {
    await client.end();
  }
}

async function ensureRole(client: pg.Client, name: string, password: string | undefined) {
  const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
  if (rowCount !== 0) return;
  const secret = password ? ` PASSWORD ${client.escapeLiteral(password)}` : '';
  await client
    .query(`CREATE ROLE ${client.escapeIdentifier(name)} LOGIN${secret}`)
    .catch((error: unknown) => {
      // Another process made it first.
      if (!DUPLICATE.has((error as { code?: string }).code ?? '')) throw error;
    });
}

async function runMigrations(url: string, logger: Logger, set: MigrationSet): Promise<void> {
  const log = logger.child({ component: 'migrations', migrations: set.name });
  await runner({
    databaseUrl: url,
    dir: set.dir,
    direction: 'up',
    migrationsSchema: set.schema,
    createMigrationsSchema: set.schema !== READ_MODEL_SCHEMA,
    migrationsTable: 'pgmigrations',
    advisoryLockMode: 'wait',
    log: (msg) => log.debug(msg),
    logger: {
      debug: () => {},
      info: (m) => log.info(m),
      warn: (m) => log.warn(m),
      error: (m) => log.error(m),
    },
  });
}

/**
 * What the read-model migrations can have made in their schema, kind by kind, dependants first.
 * Objects that belong to another (extension members such as unaccent's, a column's sequence, a
 * partition, a range's constructors) are left to go with their owner.
 */
const READ_MODEL_OBJECTS = `
  SELECT kind, name FROM (
    SELECT CASE c.relkind WHEN 'v' THEN 1 WHEN 'm' THEN 2 WHEN 'f' THEN 3 WHEN 'S' THEN 5 ELSE 4 END
             AS step,
           CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
             WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END AS kind,
           format('%I.%I', n.nspname, c.relname) AS name, 'pg_class'::regclass AS classid, c.oid
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
    UNION ALL
    SELECT 6, 'ROUTINE',
           format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)),
           'pg_proc'::regclass, p.oid
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1
    UNION ALL
    SELECT 7, 'TEXT SEARCH CONFIGURATION', format('%I.%I', n.nspname, t.cfgname),
           'pg_ts_config'::regclass, t.oid
    FROM pg_ts_config t JOIN pg_namespace n ON n.oid = t.cfgnamespace WHERE n.nspname = $1
    UNION ALL
    SELECT 8, 'TEXT SEARCH DICTIONARY', format('%I.%I', n.nspname, t.dictname),
           'pg_ts_dict'::regclass, t.oid
    FROM pg_ts_dict t JOIN pg_namespace n ON n.oid = t.dictnamespace WHERE n.nspname = $1
    UNION ALL
    SELECT 9, 'TYPE', format('%I.%I', n.nspname, t.typname), 'pg_type'::regclass, t.oid
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    LEFT JOIN pg_class c ON c.oid = t.typrelid
    WHERE n.nspname = $1 AND (t.typtype IN ('e', 'd', 'r') OR c.relkind = 'c')
  ) o
  WHERE NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = o.classid AND d.objid = o.oid AND d.deptype IN ('e', 'i', 'a'))
  ORDER BY step, name`;

/**
 * Drops every read model, their checkpoints and their record of applied migrations: everything
 * the read-model migrations made, nothing of the write side. The schema itself stays, with its
 * owner, its grants and the extensions installed in it. There is no CASCADE: should anything
 * outside the read models depend on them, the drop fails and changes nothing. Run the read-model
 * migrations next, and the projections fold the log again from its beginning.
 */
export async function dropReadModels(pool: pg.Pool): Promise<string[]> {
  return withTransaction(pool, async (db) => {
    const { rows } = await db.query<{ kind: string; name: string }>(READ_MODEL_OBJECTS, [
      READ_MODEL_SCHEMA,
    ]);
    const kinds = [...new Set(rows.map((r) => r.kind))];
    for (const kind of kinds) {
      const names = rows.filter((r) => r.kind === kind).map((r) => r.name);
      await db.query(`DROP ${kind} ${names.join(', ')}`);
    }
    return rows.map((r) => r.name);
  });
}

/**
 * Runs `work` in a transaction that sees and writes only `tenantId`'s rows of the tenant-scoped
 * tables (when connected as the app role; the owner is not bound by the policies).
 */
export function withTenant<T>(
  pool: pg.Pool,
  tenantId: string,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  // One round trip for both: the tenant id is a literal here, escaped by pg.
  const begin = `BEGIN; SELECT set_config('${TENANT_SETTING}', ${pg.escapeLiteral(tenantId)}, true)`;
  return inTransaction(pool, begin, work);
}

export async function setTenant(client: Queryable, tenantId: string): Promise<void> {
  await client.query('SELECT set_config($1, $2, true)', [TENANT_SETTING, tenantId]);
}

/** The database as one tenant sees it: each query runs in its own transaction set to the tenant. */
export type TenantDatabase = (tenantId: string) => Queryable;

export const tenantDatabase =
  (pool: pg.Pool): TenantDatabase =>
  (tenantId) => ({
    query: <R extends pg.QueryResultRow>(text: string, values?: unknown[]) =>
      withTenant(pool, tenantId, (client) => client.query<R>(text, values)),
  });

/**
 * The same as `tenantDatabase` in one round trip per query: each connection keeps the tenant as a
 * session setting, set again only when a query for another tenant gets it. The pool must be this
 * function's alone: any other user of its connections would see a tenant it did not choose.
 */
export function pinnedTenantDatabase(pool: pg.Pool): TenantDatabase {
  const tenantOf = new WeakMap<pg.PoolClient, string>();
  const pin = async (client: pg.PoolClient, tenantId: string) => {
    if (tenantOf.get(client) === tenantId) return;
    // Forgotten first: a failed set leaves the connection unpinned, never pinned to the old one.
    tenantOf.delete(client);
    await client.query('SELECT set_config($1, $2, false)', [TENANT_SETTING, tenantId]);
    tenantOf.set(client, tenantId);
  };
  return (tenantId) => ({
    query: async <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await pin(client, tenantId);
        return await client.query<R>(text, values);
      } catch (error) {
        // A connection that failed below SQL is dropped; an SQL error leaves it usable.
        if (!(error as { code?: string }).code) broken = error as Error;
        throw error;
      } finally {
        client.release(broken);
      }
    },
  });
}

export function withTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  return inTransaction(pool, 'BEGIN', work);
}

async function inTransaction<T>(
  pool: pg.Pool,
  begin: string,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
