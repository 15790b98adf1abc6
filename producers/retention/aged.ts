import type { Queryable } from '../../infra/postgres.ts';
import type { RetainedDocument } from './policy.ts';

/**
 * A tenant's documents uploaded before `uploadedBefore`, or rejected before `rejectedBefore` (a
 * rejected round is not touched again, so its last update is its rejection), oldest first, from
 * the documents read model. Those erased already are left out before the limit, so they never
 * crowd out the rest.
 */
export async function agedDocuments(
  db: Queryable,
  tenantId: string,
  before: { uploadedBefore: number | null; rejectedBefore: number | null },
  limit: number,
): Promise<RetainedDocument[]> {
  const at = (time: number | null) => (time === null ? null : new Date(time));
  const { rows } = await db.query<{
    document_id: string;
    uploaded_at: Date;
    rejected_at: Date | null;
  }>(
    `SELECT d.document_id, d.uploaded_at,
       CASE WHEN d.status = 'rejected' THEN d.updated_at END AS rejected_at
     FROM documents d
     WHERE d.tenant_id = $1
       AND (d.uploaded_at <= $2::timestamptz
         OR (d.status = 'rejected' AND d.updated_at <= $3::timestamptz))
       AND NOT EXISTS (SELECT 1 FROM write_side.erasures e
         WHERE e.tenant_id = $1 AND e.subject = 'document:' || d.document_id)
     ORDER BY d.uploaded_at, d.document_id LIMIT $4`,
    [tenantId, at(before.uploadedBefore), at(before.rejectedBefore), limit],
  );
  return rows.map((r) => ({
    tenantId,
    documentId: r.document_id,
    uploadedAt: r.uploaded_at.getTime(),
    rejectedAt: r.rejected_at?.getTime() ?? null,
    trashedAt: null,
  }));
}
