import type { Queryable } from '../../infra/postgres.ts';

/** A document an erasure covers, with what its stored file is. */
export interface ErasedDocument {
  documentId: string;
  blobRef: string;
  /** Set when its bytes were another document's: the file is that one's. */
  duplicateOf: string | null;
}

/**
 * The documents an erasure covers, from the read model: those asked for and those linked to the
 * patients, then, repeatedly, the child documents of a container (its entries are its content)
 * and the documents recorded as duplicates of one (the same bytes, and a file sealed under the
 * first one's key). Documents erased before are left out.
 */
export async function documentsInScope(
  db: Queryable,
  tenantId: string,
  documentIds: readonly string[],
  patientIds: readonly string[] = [],
): Promise<ErasedDocument[]> {
  const { rows } = await db.query<ErasedDocument>(
    `WITH RECURSIVE scope (document_id) AS (
       SELECT document_id FROM documents
       WHERE tenant_id = $1 AND (document_id = ANY($2::text[]) OR patient_id = ANY($3::text[]))
       UNION
       SELECT d.document_id FROM documents d JOIN scope s
         ON d.parent_document_id = s.document_id OR d.duplicate_of = s.document_id
       WHERE d.tenant_id = $1
     )
     SELECT d.document_id AS "documentId", d.blob_ref AS "blobRef", d.duplicate_of AS "duplicateOf"
     FROM documents d JOIN scope USING (document_id)
     WHERE d.tenant_id = $1 AND NOT EXISTS (SELECT 1 FROM write_side.erasures e
       WHERE e.tenant_id = $1 AND e.subject = 'document:' || d.document_id)
     ORDER BY d.document_id`,
    [tenantId, documentIds, patientIds],
  );
  return rows;
}

/** Whether the patient is known, the survivor it was merged into, and the patients merged into it. */
export async function mergedInto(
  db: Queryable,
  tenantId: string,
  patientId: string,
): Promise<{ found: boolean; survivor: string | null; merged: string[] }> {
  const { rows } = await db.query<{ patient_id: string; merged_into: string | null }>(
    `SELECT patient_id, merged_into FROM patients
     WHERE tenant_id = $1 AND (patient_id = $2 OR merged_into = $2)
       AND (registered_at IS NOT NULL OR merged_into IS NOT NULL)`,
    [tenantId, patientId],
  );
  const own = rows.find((r) => r.patient_id === patientId);
  return {
    found: own !== undefined,
    survivor: own?.merged_into ?? null,
    merged: rows.filter((r) => r.patient_id !== patientId).map((r) => r.patient_id),
  };
}

/** The files of the erased documents that no document left standing refers to. */
export async function unsharedBlobs(
  db: Queryable,
  tenantId: string,
  documents: readonly ErasedDocument[],
): Promise<string[]> {
  const refs = [...new Set(documents.filter((d) => !d.duplicateOf).map((d) => d.blobRef))];
  if (refs.length === 0) return [];
  const { rows } = await db.query<{ blob_ref: string }>(
    `SELECT DISTINCT blob_ref FROM documents
     WHERE tenant_id = $1 AND blob_ref = ANY($2::text[]) AND document_id <> ALL($3::text[])`,
    [tenantId, refs, documents.map((d) => d.documentId)],
  );
  const kept = new Set(rows.map((r) => r.blob_ref));
  return refs.filter((ref) => !kept.has(ref));
}
