import { invalid } from '../../infra/errors.ts';
import { DOCUMENT_TYPES, type DocumentType } from '../../schemas/document-types.ts';

export interface UploadFields {
  tenantId: string;
  fileName: string;
  externalPatientId: string | null;
  documentTypeHint: DocumentType | null;
}

export const TENANT_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$';
const tenantPattern = new RegExp(TENANT_ID_PATTERN);

/** Checks the form fields of an upload; throws the first problem with its stable code. */
export function parseUploadFields(raw: Record<string, string | undefined>): UploadFields {
  const tenantId = raw.tenantId?.trim();
  if (!tenantId) throw invalid('TENANT_REQUIRED', 'the tenantId field is required');
  if (!tenantPattern.test(tenantId)) {
    throw invalid('INVALID_TENANT', 'tenantId must be 1-64 letters, digits, - or _');
  }
  const fileName = raw.fileName ?? '';
  if (!isPlainFileName(fileName)) {
    throw invalid('INVALID_FILE_NAME', 'the file name must be a plain name, not a path');
  }
  const externalPatientId = raw.externalPatientId?.trim() || null;
  if (externalPatientId && externalPatientId.length > 128) {
    throw invalid('INVALID_EXTERNAL_PATIENT_ID', 'externalPatientId is longer than 128 characters');
  }
  const hint = raw.documentTypeHint?.trim() || null;
  if (hint && !(DOCUMENT_TYPES as readonly string[]).includes(hint)) {
    throw invalid(
      'INVALID_DOCUMENT_TYPE_HINT',
      `documentTypeHint must be one of ${DOCUMENT_TYPES.join(', ')}`,
    );
  }
  return { tenantId, fileName, externalPatientId, documentTypeHint: hint as DocumentType | null };
}

/** A name with no directory part, no traversal, no control characters, at most 255 bytes. */
export function isPlainFileName(name: string): boolean {
  return (
    name.length > 0 &&
    Buffer.byteLength(name) <= 255 &&
    name.trim() === name &&
    name !== '.' &&
    name !== '..' &&
    !/[/\\]/.test(name) &&
    !/^[A-Za-z]:/.test(name) &&
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we reject
    !/[\u0000-\u001f\u007f]/.test(name)
  );
}
