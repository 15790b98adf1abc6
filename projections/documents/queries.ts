import { invalid } from '../../infra/errors.ts';
import type { Pool } from '../../infra/postgres.ts';

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
}

export interface DocumentFilters {
  status?: string;
  mediaType?: string;
  externalPatientId?: string;
  sha256?: string;
  uploadedFrom?: string;
  uploadedTo?: string;
}

const COLUMNS = `document_id, tenant_id, status, file_name, media_type, size_bytes, sha256,
  external_patient_id, document_type_hint, duplicate_of, correlation_id, uploaded_at, updated_at`;

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
});

export async function findDocument(pool: Pool, tenantId: string, id: string) {
  const { rows } = await pool.query<DocumentRow>(
    `SELECT ${COLUMNS} FROM documents WHERE tenant_id = $1 AND document_id = $2`,
    [tenantId, id],
  );
  return rows[0] ? toView(rows[0]) : null;
}

/** Newest first; the cursor is the (uploaded_at, id) of the last row of the previous page. */
export async function listDocuments(
  pool: Pool,
  tenantId: string,
  filters: DocumentFilters,
  page: { limit: number; cursor?: string },
): Promise<{ items: DocumentView[]; nextCursor: string | null }> {
  const where = ['tenant_id = $1'];
  const values: unknown[] = [tenantId];
  const add = (clause: string, value: unknown) => {
    values.push(value);
    where.push(clause.replace('?', `$${values.length}`));
  };
  if (filters.status) add('status = ?', filters.status);
  if (filters.mediaType) add('media_type = ?', filters.mediaType);
  if (filters.externalPatientId) add('external_patient_id = ?', filters.externalPatientId);
  if (filters.sha256) add('sha256 = ?', filters.sha256);
  if (filters.uploadedFrom) add('uploaded_at >= ?', filters.uploadedFrom);
  if (filters.uploadedTo) add('uploaded_at < ?', filters.uploadedTo);
  if (page.cursor) {
    const [at, id] = decodeCursor(page.cursor);
    values.push(at, id);
    where.push(`(uploaded_at, document_id) < ($${values.length - 1}, $${values.length})`);
  }
  values.push(page.limit + 1);
  const { rows } = await pool.query<DocumentRow>(
    `SELECT ${COLUMNS} FROM documents WHERE ${where.join(' AND ')}
     ORDER BY uploaded_at DESC, document_id DESC LIMIT $${values.length}`,
    values,
  );
  const items = rows.slice(0, page.limit).map(toView);
  const last = items.at(-1);
  const nextCursor =
    rows.length > page.limit && last ? encodeCursor(last.uploadedAt, last.id) : null;
  return { items, nextCursor };
}

export function encodeCursor(uploadedAt: string, id: string): string {
  return Buffer.from(JSON.stringify([uploadedAt, id])).toString('base64url');
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
