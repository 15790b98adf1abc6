import { type Queryable, READ_MODEL_SCHEMA } from '../../infra/postgres.ts';

/**
 * A read model's shadow: a schema beside the live one holding a copy of the model's tables, same
 * columns, constraints, index names, row-level security policies, grants and owner, plus its own
 * projection_checkpoints. A rebuild folds the log into it and then moves its tables into the
 * live schema, where they arrive exactly as the migrations left the ones they replace.
 */
export const shadowSchema = (model: string) => identifier(`rebuild_${model.replaceAll('-', '_')}`);

const CHECKPOINTS = 'projection_checkpoints';

/** Read-model names and table names are plain lower-case identifiers; anything else is refused. */
export function identifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain identifier: ${name}`);
  return name;
}

const live = (table: string) => `${READ_MODEL_SCHEMA}.${identifier(table)}`;

/** Makes the shadow afresh: a shadow left by a rebuild that did not finish is dropped first. */
export async function createShadow(
  db: Queryable,
  schema: string,
  tables: readonly string[],
): Promise<void> {
  await dropShadow(db, schema);
  await db.query(`CREATE SCHEMA ${schema}`);
  await db.query(`CREATE TABLE ${schema}.${CHECKPOINTS} (LIKE ${live(CHECKPOINTS)} INCLUDING ALL)`);
  for (const table of tables) await copyTable(db, schema, table);
}

export async function dropShadow(db: Queryable, schema: string): Promise<void> {
  await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
}

async function copyTable(db: Queryable, schema: string, table: string): Promise<void> {
  const target = `${schema}.${identifier(table)}`;
  const { rows: found } = await db.query<{ rls: boolean; force: boolean; owner: string }>(
    `SELECT c.relrowsecurity AS rls, c.relforcerowsecurity AS force,
            pg_get_userbyid(c.relowner) AS owner
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind = 'r'`,
    [READ_MODEL_SCHEMA, table],
  );
  const source = found[0];
  if (!source) throw new Error(`read-model table ${live(table)} does not exist`);
  // Indexes are made one by one below so that they keep their names: LIKE would name them anew.
  await db.query(`CREATE TABLE ${target} (LIKE ${live(table)} INCLUDING ALL EXCLUDING INDEXES)`);
  for (const statement of await indexStatements(db, table, target)) await db.query(statement);
  for (const statement of await securityStatements(db, table, target, source)) {
    await db.query(statement);
  }
}

/** Primary keys and unique constraints as constraints, every other index as an index. */
async function indexStatements(db: Queryable, table: string, target: string): Promise<string[]> {
  const { rows: constraints } = await db.query<{ name: string; definition: string }>(
    `SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
     WHERE conrelid = $1::regclass AND contype IN ('p', 'u', 'x') ORDER BY conname`,
    [live(table)],
  );
  const { rows: indexes } = await db.query<{ definition: string }>(
    `SELECT pg_get_indexdef(i.indexrelid) AS definition FROM pg_index i
     WHERE i.indrelid = $1::regclass
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
     ORDER BY i.indexrelid`,
    [live(table)],
  );
  return [
    ...constraints.map(
      (c) => `ALTER TABLE ${target} ADD CONSTRAINT ${quote(c.name)} ${c.definition}`,
    ),
    ...indexes.map((i) => retarget(i.definition, target)),
  ];
}

/** An index definition of a live table made to build the same index on `target`. */
export function retarget(indexDefinition: string, target: string): string {
  const retargeted = indexDefinition.replace(/ ON (ONLY )?\S+ USING /, ` ON ${target} USING `);
  if (retargeted === indexDefinition) throw new Error(`unexpected index: ${indexDefinition}`);
  return retargeted;
}

/** Row-level security, its policies, the live table's grants and its owner. */
async function securityStatements(
  db: Queryable,
  table: string,
  target: string,
  source: { rls: boolean; force: boolean; owner: string },
): Promise<string[]> {
  const { rows: policies } = await db.query<{
    name: string;
    permissive: string;
    roles: string[];
    cmd: string;
    qual: string | null;
    check: string | null;
  }>(
    `SELECT policyname AS name, permissive, roles::text[] AS roles, cmd, qual, with_check AS check
     FROM pg_policies WHERE schemaname = $1 AND tablename = $2 ORDER BY policyname`,
    [READ_MODEL_SCHEMA, table],
  );
  const { rows: grants } = await db.query<{ grantee: string; privilege: string }>(
    `SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END
              AS grantee,
            a.privilege_type AS privilege
     FROM pg_class c, aclexplode(c.relacl) a
     WHERE c.oid = $1::regclass AND a.grantee <> c.relowner
     ORDER BY 1, 2`,
    [live(table)],
  );
  return [
    `ALTER TABLE ${target} OWNER TO ${quote(source.owner)}`,
    ...(source.rls ? [`ALTER TABLE ${target} ENABLE ROW LEVEL SECURITY`] : []),
    ...(source.force ? [`ALTER TABLE ${target} FORCE ROW LEVEL SECURITY`] : []),
    ...policies.map((p) =>
      [
        `CREATE POLICY ${quote(p.name)} ON ${target} AS ${p.permissive} FOR ${p.cmd}`,
        `TO ${p.roles.map((r) => (r === 'public' ? 'PUBLIC' : quote(r))).join(', ')}`,
        p.qual === null ? '' : `USING (${p.qual})`,
        p.check === null ? '' : `WITH CHECK (${p.check})`,
      ].join(' '),
    ),
    ...grants.map((g) => `GRANT ${g.privilege} ON ${target} TO ${g.grantee}`),
  ];
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Puts the shadow's tables in place of the live ones. Run in the transaction that holds the live
 * projection's checkpoints: readers wait on the lock for the few statements it takes, and then
 * read the new tables, which PostgreSQL finds again by name.
 */
export async function swapInShadow(
  db: Queryable,
  schema: string,
  tables: readonly string[],
): Promise<void> {
  await db.query(`LOCK TABLE ${tables.map(live).join(', ')} IN ACCESS EXCLUSIVE MODE`);
  await db.query(`DROP TABLE ${tables.map(live).join(', ')}`);
  for (const table of tables) {
    await db.query(`ALTER TABLE ${schema}.${identifier(table)} SET SCHEMA ${READ_MODEL_SCHEMA}`);
  }
}
