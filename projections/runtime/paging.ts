import { invalid } from '../../infra/errors.ts';

/** Keyset paging: a cursor is the (timestamp, id) of the last item a page showed. */
export function encodeCursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url');
}

export function decodeCursor(cursor: string): [string, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[1] === 'string' &&
      !Number.isNaN(Date.parse(value[0]))
    ) {
      return [value[0], value[1]];
    }
  } catch {
    // fall through: not JSON
  }
  throw invalid('INVALID_CURSOR', 'the cursor is not one this API issued');
}

/** One page of `rows` fetched with `limit + 1`, and the cursor after it when more follow. */
export function pageOf<T>(
  rows: readonly T[],
  limit: number,
  keyOf: (item: T) => [string, string],
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(...keyOf(last)) : null };
}
