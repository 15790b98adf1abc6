import type { Queryable } from '../../infra/postgres.ts';
import { identifier } from './shadow.ts';

/** A table's rows and a checksum over every one of them that does not depend on their order. */
export interface TableDigest {
  readonly rows: number;
  readonly checksum: string;
}

export interface TableComparison {
  readonly table: string;
  readonly live: TableDigest;
  readonly shadow: TableDigest;
  readonly equal: boolean;
}

const WORD = 2n ** 64n;

/**
 * The checksum from the two sums PostgreSQL adds up: of the first and of the last 64 bits of each
 * row's md5, read as signed integers. Each sum is taken modulo 2^64; the pair is 32 hex digits.
 */
export function checksumOf(high: string, low: string): string {
  const word = (sum: string) =>
    (((BigInt(sum) % WORD) + WORD) % WORD).toString(16).padStart(16, '0');
  return `${word(high)}${word(low)}`;
}

/**
 * Counts and checksums a table in SQL: md5 of each row's text (every column, in table order),
 * summed. Equal rows in any order give equal sums; any changed, missing or extra row changes them.
 */
export async function digestTable(
  db: Queryable,
  schema: string,
  table: string,
): Promise<TableDigest> {
  const { rows } = await db.query<{ rows: string; high: string; low: string }>(
    `SELECT count(*)::text AS rows,
       coalesce(sum(('x' || substr(h, 1, 16))::bit(64)::bigint::numeric), 0)::text AS high,
       coalesce(sum(('x' || substr(h, 17, 16))::bit(64)::bigint::numeric), 0)::text AS low
     FROM (SELECT md5(t::text) AS h FROM ${identifier(schema)}.${identifier(table)} t) rows`,
  );
  const [row] = rows;
  if (!row) throw new Error(`no digest of ${schema}.${table}`);
  return { rows: Number(row.rows), checksum: checksumOf(row.high, row.low) };
}

export async function compareTables(
  db: Queryable,
  liveSchema: string,
  shadowSchema: string,
  tables: readonly string[],
): Promise<TableComparison[]> {
  const comparisons: TableComparison[] = [];
  for (const table of tables) {
    const live = await digestTable(db, liveSchema, table);
    const shadow = await digestTable(db, shadowSchema, table);
    const equal = live.rows === shadow.rows && live.checksum === shadow.checksum;
    comparisons.push({ table, live, shadow, equal });
  }
  return comparisons;
}
