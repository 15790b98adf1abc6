import type { Queryable } from '../../infra/postgres.ts';
import { identifier } from './shadow.ts';

/** Where a projection has got to: the next offset to apply, by `topic:partition`. */
export type Positions = ReadonlyMap<string, bigint>;

export const positionKey = (topic: string, partition: number) => `${topic}:${partition}`;

/** The positions a projection's checkpoints in `schema` record. */
export async function readPositions(
  db: Queryable,
  schema: string,
  projection: string,
): Promise<Positions> {
  const { rows } = await db.query<{ topic: string; partition: number; next_offset: string }>(
    `SELECT topic, partition, next_offset FROM ${identifier(schema)}.projection_checkpoints
     WHERE projection = $1`,
    [projection],
  );
  return new Map(rows.map((r) => [positionKey(r.topic, r.partition), BigInt(r.next_offset)]));
}

/** The partitions where `shadow` has not yet reached `live`; a partition not recorded is at 0. */
export function behind(shadow: Positions, live: Positions): string[] {
  return [...live].filter(([key, offset]) => (shadow.get(key) ?? 0n) < offset).map(([key]) => key);
}

/** The partitions where the two differ, either way. */
export function differing(a: Positions, b: Positions): string[] {
  const keys = new Set([...a.keys(), ...b.keys()]);
  return [...keys].filter((key) => (a.get(key) ?? 0n) !== (b.get(key) ?? 0n)).sort();
}

/** Events between two positions, summed over partitions (those of `to` ahead of `from`). */
export function eventsBetween(from: Positions, to: Positions): bigint {
  let total = 0n;
  for (const [key, offset] of to) {
    const start = from.get(key) ?? 0n;
    if (offset > start) total += offset - start;
  }
  return total;
}

/** `topic:partition=offset`, sorted, for a report. */
export const formatPositions = (positions: Positions) =>
  [...positions]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, offset]) => `${key}=${offset}`)
    .join(' ');
