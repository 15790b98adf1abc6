import type { Queryable } from '../../infra/postgres.ts';

export interface DailyUsage {
  /** The UTC day, `YYYY-MM-DD`. */
  day: string;
  documents: number;
  bytes: number;
  pages: number;
  ocrPages: number;
}

/** What a quota is checked against: the tenant's day so far, and everything it stores. */
export interface TenantUsage {
  documentsToday: number;
  ocrPagesToday: number;
  storedBytes: number;
}

/** The tenant's days from `from` to `to` (UTC, inclusive) on which anything was used, in order. */
export async function usageByDay(
  db: Queryable,
  tenantId: string,
  from: string,
  to: string,
): Promise<DailyUsage[]> {
  const { rows } = await db.query<{
    day: string;
    documents: number;
    bytes: string;
    pages: number;
    ocr_pages: number;
  }>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, documents, bytes, pages, ocr_pages
     FROM usage_daily WHERE tenant_id = $1 AND day BETWEEN $2::date AND $3::date
     ORDER BY day`,
    [tenantId, from, to],
  );
  return rows.map((r) => ({
    day: r.day,
    documents: r.documents,
    bytes: Number(r.bytes),
    pages: r.pages,
    ocrPages: r.ocr_pages,
  }));
}

/** The tenant's usage on `day` (UTC, `YYYY-MM-DD`) and the bytes it stores over all days. */
export async function tenantUsage(
  db: Queryable,
  tenantId: string,
  day: string,
): Promise<TenantUsage> {
  const { rows } = await db.query<{ documents: number; ocr_pages: number; stored: string }>(
    `SELECT COALESCE(sum(documents) FILTER (WHERE day = $2::date), 0)::int AS documents,
       COALESCE(sum(ocr_pages) FILTER (WHERE day = $2::date), 0)::int AS ocr_pages,
       COALESCE(sum(stored_bytes), 0)::bigint AS stored
     FROM usage_daily WHERE tenant_id = $1`,
    [tenantId, day],
  );
  const row = rows[0];
  return {
    documentsToday: row?.documents ?? 0,
    ocrPagesToday: row?.ocr_pages ?? 0,
    storedBytes: Number(row?.stored ?? 0),
  };
}

/**
 * The document's pages as its latest validated round counted them, and how many of them OCR read
 * in its latest round that got as far as text extraction; each null until that happened.
 */
export async function documentPages(
  db: Queryable,
  tenantId: string,
  documentId: string,
): Promise<{ pages: number | null; ocrPages: number | null }> {
  const { rows } = await db.query<{ fact: string; amount: string }>(
    `SELECT DISTINCT ON (fact) fact, amount FROM usage_facts
     WHERE tenant_id = $1 AND document_id = $2 AND fact IN ('validated', 'text-extracted')
     ORDER BY fact, round DESC`,
    [tenantId, documentId],
  );
  const amountOf = (fact: string) => {
    const row = rows.find((r) => r.fact === fact);
    return row ? Number(row.amount) : null;
  };
  return { pages: amountOf('validated'), ocrPages: amountOf('text-extracted') };
}
