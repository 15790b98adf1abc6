import type { Queryable } from '../../infra/postgres.ts';
import { OF_PATIENT } from '../patients/queries.ts';
import { decodeCursor, pageOf } from '../runtime/paging.ts';

export interface DocumentView {
  id: string;
  tenantId: string;
  status: string;
  fileName: string;
  mediaType: string;
  sizeBytes: number;
  sha256: string;
  externalPatientId: string | null;
  documentTypeHint: string | null;
  duplicateOf: string | null;
  correlationId: string;
  uploadedAt: string;
  updatedAt: string;
  round: number;
  statusReason: string | null;
  statusMessage: string | null;
  exportName: { recordNumber: string; typeCode: string } | null;
  pageCount: number | null;
  text: { method: string; language: string; confidence: number; chars: number } | null;
  classification: { documentType: string; confidence: number; evidence: object[] } | null;
  quality: { score: number; reasons: object[] } | null;
  /** The current round's patient decision; `patientId` follows merges to the surviving patient. */
  /** The zip or e-mail it was taken out of, and where in it. */
  parentDocumentId: string | null;
  entryPath: string | null;
  /** For a zip or an e-mail once opened: its child documents, and the entries refused. */
  children: {
    accepted: number;
    rejected: { entryPath: string; reason: string; message: string }[];
  } | null;
  patientMatch: {
    status: string;
    patientId: string | null;
    score: number | null;
    method: string | null;
    reviewId: string | null;
  } | null;
}

export interface DocumentFilters {
  status?: string;
  documentType?: string;
  mediaType?: string;
  externalPatientId?: string;
  sha256?: string;
  /** The documents taken out of this zip or e-mail. */
  parentDocumentId?: string;
  uploadedFrom?: string;
  uploadedTo?: string;
}

const COLUMNS = `document_id, tenant_id, status, file_name, media_type, size_bytes, sha256,
  external_patient_id, document_type_hint, duplicate_of, correlation_id, uploaded_at, updated_at,
  round, status_reason, status_message, export_record_number, export_type_code, page_count,
  text_method, text_language, text_confidence, text_chars, document_type,
  classification_confidence, classification_evidence, quality_score, quality_reasons,
  COALESCE((SELECT p.merged_into FROM patients p
    WHERE p.tenant_id = documents.tenant_id AND p.patient_id = documents.patient_id), patient_id)
    AS patient_id,
  match_status, match_score, match_method, review_id, parent_document_id, entry_path,
  children_accepted, children_rejected`;

interface DocumentRow {
  document_id: string;
  tenant_id: string;
  status: string;
  file_name: string;
  media_type: string;
  size_bytes: string;
  sha256: string;
  external_patient_id: string | null;
  document_type_hint: string | null;
  duplicate_of: string | null;
  correlation_id: string;
  uploaded_at: Date;
  updated_at: Date;
  round: number;
  status_reason: string | null;
  status_message: string | null;
  export_record_number: string | null;
  export_type_code: string | null;
  page_count: number | null;
  text_method: string | null;
  text_language: string | null;
  text_confidence: number | null;
  text_chars: number | null;
  document_type: string | null;
  classification_confidence: number | null;
  classification_evidence: object[] | null;
  quality_score: number | null;
  quality_reasons: object[] | null;
  patient_id: string | null;
  match_status: string | null;
  match_score: number | null;
  match_method: string | null;
  review_id: string | null;
  parent_document_id: string | null;
  entry_path: string | null;
  children_accepted: number | null;
  children_rejected: { entryPath: string; reason: string; message: string }[] | null;
}

const toView = (r: DocumentRow): DocumentView => ({
  id: r.document_id,
  tenantId: r.tenant_id,
  status: r.status,
  fileName: r.file_name,
  mediaType: r.media_type,
  sizeBytes: Number(r.size_bytes),
  sha256: r.sha256,
  externalPatientId: r.external_patient_id,
  documentTypeHint: r.document_type_hint,
  duplicateOf: r.duplicate_of,
  correlationId: r.correlation_id,
  uploadedAt: r.uploaded_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
  round: r.round,
  statusReason: r.status_reason,
  statusMessage: r.status_message,
  exportName:
    r.export_record_number && r.export_type_code
      ? { recordNumber: r.export_record_number, typeCode: r.export_type_code }
      : null,
  pageCount: r.page_count,
  text:
    r.text_method && r.text_language
      ? {
          method: r.text_method,
          language: r.text_language,
          confidence: r.text_confidence ?? 0,
          chars: r.text_chars ?? 0,
        }
      : null,
  classification: r.document_type
    ? {
        documentType: r.document_type,
        confidence: r.classification_confidence ?? 0,
        evidence: r.classification_evidence ?? [],
      }
    : null,
  quality:
    r.quality_score === null ? null : { score: r.quality_score, reasons: r.quality_reasons ?? [] },
  parentDocumentId: r.parent_document_id,
  entryPath: r.entry_path,
  children:
    r.children_accepted === null
      ? null
      : { accepted: r.children_accepted, rejected: r.children_rejected ?? [] },
  patientMatch: r.match_status
    ? {
        status: r.match_status,
        patientId: r.patient_id,
        score: r.match_score,
        method: r.match_method,
        reviewId: r.review_id,
      }
    : null,
});

/** The document, unless there is none or it is in the trash (see `isTrashed`). */
export async function findDocument(db: Queryable, tenantId: string, id: string) {
  const { rows } = await db.query<DocumentRow>(
    `SELECT ${COLUMNS} FROM documents
     WHERE tenant_id = $1 AND document_id = $2 AND trashed_at IS NULL`,
    [tenantId, id],
  );
  return rows[0] ? toView(rows[0]) : null;
}

/** Where the document's file is in the blob store, or null for no such document. */
export async function documentBlobRef(
  db: Queryable,
  tenantId: string,
  id: string,
): Promise<string | null> {
  const { rows } = await db.query<{ blob_ref: string }>(
    `SELECT blob_ref FROM documents
     WHERE tenant_id = $1 AND document_id = $2 AND trashed_at IS NULL`,
    [tenantId, id],
  );
  return rows[0]?.blob_ref ?? null;
}

/** Newest first; the cursor is the (uploaded_at, id) of the last row of the previous page. */
export async function listDocuments(
  db: Queryable,
  tenantId: string,
  filters: DocumentFilters,
  page: { limit: number; cursor?: string },
): Promise<{ items: DocumentView[]; nextCursor: string | null }> {
  const where = ['tenant_id = $1', 'trashed_at IS NULL'];
  const values: unknown[] = [tenantId];
  const add = (clause: string, value: unknown) => {
    values.push(value);
    where.push(clause.replace('?', `$${values.length}`));
  };
  if (filters.status) add('status = ?', filters.status);
  if (filters.documentType) add('document_type = ?', filters.documentType);
  if (filters.mediaType) add('media_type = ?', filters.mediaType);
  if (filters.externalPatientId) add('external_patient_id = ?', filters.externalPatientId);
  if (filters.sha256) add('sha256 = ?', filters.sha256);
  if (filters.parentDocumentId) add('parent_document_id = ?', filters.parentDocumentId);
  if (filters.uploadedFrom) add('uploaded_at >= ?', filters.uploadedFrom);
  if (filters.uploadedTo) add('uploaded_at < ?', filters.uploadedTo);
  if (page.cursor) {
    const [at, id] = decodeCursor(page.cursor);
    values.push(at, id);
    where.push(`(uploaded_at, document_id) < ($${values.length - 1}, $${values.length})`);
  }
  values.push(page.limit + 1);
  const { rows } = await db.query<DocumentRow>(
    `SELECT ${COLUMNS} FROM documents WHERE ${where.join(' AND ')}
     ORDER BY uploaded_at DESC, document_id DESC LIMIT $${values.length}`,
    values,
  );
  return pageOf(rows.map(toView), page.limit, (item) => [item.uploadedAt, item.id]);
}

/** The documents of a survivor and of the patients merged into it, oldest first. */
export async function patientDocumentViews(
  db: Queryable,
  tenantId: string,
  patientId: string,
): Promise<DocumentView[]> {
  const { rows } = await db.query<DocumentRow>(
    `SELECT ${COLUMNS} FROM documents WHERE tenant_id = $1 AND document_id IN (
       SELECT d.document_id FROM documents d WHERE ${OF_PATIENT})
     ORDER BY uploaded_at, document_id`,
    [tenantId, patientId],
  );
  return rows.map(toView);
}

/** Whether the document is in the trash: read as absent until it is restored. */
export async function isTrashed(db: Queryable, tenantId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `SELECT 1 FROM documents
     WHERE tenant_id = $1 AND document_id = $2 AND trashed_at IS NOT NULL`,
    [tenantId, id],
  );
  return (rowCount ?? 0) > 0;
}

export interface TrashedDocument {
  id: string;
  fileName: string;
  status: string;
  uploadedAt: string;
  trashedAt: string;
}

/** The tenant's documents in the trash, most recently deleted first. */
export async function listTrashed(
  db: Queryable,
  tenantId: string,
  limit: number,
): Promise<TrashedDocument[]> {
  const { rows } = await db.query<{
    document_id: string;
    file_name: string;
    status: string;
    uploaded_at: Date;
    trashed_at: Date;
  }>(
    `SELECT document_id, file_name, status, uploaded_at, trashed_at FROM documents
     WHERE tenant_id = $1 AND trashed_at IS NOT NULL
     ORDER BY trashed_at DESC, document_id LIMIT $2`,
    [tenantId, limit],
  );
  return rows.map((r) => ({
    id: r.document_id,
    fileName: r.file_name,
    status: r.status,
    uploadedAt: r.uploaded_at.toISOString(),
    trashedAt: r.trashed_at.toISOString(),
  }));
}
