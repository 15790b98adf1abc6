import type { Queryable } from '../../infra/postgres.ts';

export interface PageText {
  page: number;
  round: number;
  method: string;
  confidence: number;
  text: string;
}

export async function documentText(
  db: Queryable,
  tenantId: string,
  documentId: string,
): Promise<PageText[]> {
  const { rows } = await db.query<PageText>(
    `SELECT page, round, method, confidence, text FROM document_pages p
     WHERE tenant_id = $1 AND document_id = $2
       AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.tenant_id = $1
         AND d.document_id = p.document_id AND d.trashed_at IS NOT NULL)
     ORDER BY page`,
    [tenantId, documentId],
  );
  return rows;
}

export interface SearchHit {
  documentId: string;
  rank: number;
  pages: number[];
  snippet: string;
  fileName: string;
  status: string;
  documentType: string | null;
}

/**
 * Full-text search over a tenant's pages, Spanish and English stems, accents folded; one hit per
 * document, ranked by its best page, with a highlighted snippet of that page.
 */
export async function searchDocuments(
  db: Queryable,
  tenantId: string,
  q: string,
  limit: number,
): Promise<SearchHit[]> {
  const { rows } = await db.query(
    `WITH query AS (
       SELECT websearch_to_tsquery('docstream_es', $2) || websearch_to_tsquery('docstream_en', $2) AS q
     ), matches AS (
       SELECT p.document_id, p.page, p.text, ts_rank_cd(p.search, query.q) AS rank
       FROM document_pages p, query
       WHERE p.tenant_id = $1 AND p.search @@ query.q
     ), best AS (
       SELECT DISTINCT ON (document_id) document_id, page, text, rank,
              array_agg(page) OVER (PARTITION BY document_id) AS pages,
              sum(rank) OVER (PARTITION BY document_id) AS total
       FROM matches ORDER BY document_id, rank DESC, page
     )
     SELECT b.document_id, b.total AS rank, b.pages, d.file_name, d.status, d.document_type,
            ts_headline(CASE WHEN d.text_language = 'eng' THEN 'docstream_en' ELSE 'docstream_es' END::regconfig,
              b.text, query.q, 'StartSel=<mark>, StopSel=</mark>, MaxWords=35, MinWords=12, MaxFragments=2')
              AS snippet
     FROM best b CROSS JOIN query
     JOIN documents d ON d.tenant_id = $1 AND d.document_id = b.document_id
       AND d.trashed_at IS NULL
     ORDER BY b.total DESC, b.document_id LIMIT $3`,
    [tenantId, q, limit],
  );
  return rows.map((r) => ({
    documentId: r.document_id,
    rank: Number(r.rank),
    pages: [...r.pages].sort((a: number, b: number) => a - b),
    snippet: r.snippet,
    fileName: r.file_name,
    status: r.status,
    documentType: r.document_type,
  }));
}
