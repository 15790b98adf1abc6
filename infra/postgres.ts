import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import type { Logger } from './logger.ts';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

/**
 * The write side's own state: what each command checks and claims in the transaction that
 * appends its event (round numbers, first documents per content, resolutions, merges, batch
 * sessions and completions). It is not folded from the log and cannot be rebuilt from it.
 */
export const WRITE_SIDE_SCHEMA = 'write_side';
/** The read models and their checkpoints: everything in it is folded from the log. */
export const READ_MODEL_SCHEMA = 'public';

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
const READ_MODEL_MIGRATIONS: MigrationSet = {
  name: 'read-models',
  dir: fileURLToPath(new URL('../projections/migrations', import.meta.url)),
  schema: READ_MODEL_SCHEMA,
};

export function createPool(url: string, max = 10): pg.Pool {
  return new pg.Pool({ connectionString: url, max, application_name: 'docstream' });
}

/**
 * Brings both schemas up to date, the write side first: it moves its tables out of the read-model
 * schema in databases made before the two were apart. node-pg-migrate waits on an advisory lock,
 * so racing starts are safe.
 */
export async function migrate(url: string, logger: Logger): Promise<void> {
  await migrateWriteSide(url, logger);
  await migrateReadModels(url, logger);
}

export const migrateWriteSide = (url: string, logger: Logger) =>
  runMigrations(url, logger, WRITE_SIDE_MIGRATIONS);

export const migrateReadModels = (url: string, logger: Logger) =>
  runMigrations(url, logger, READ_MODEL_MIGRATIONS);

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

export async function withTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
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
