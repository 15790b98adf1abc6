import type { DocumentEvent } from '../../schemas/events.ts';
import { type Projection, type SqlStatement, sql } from '../runtime/projection.ts';

export type DocumentStatus = 'uploaded';

export const documentsProjection: Projection = {
  name: 'documents',
  canHandle: ['DocumentUploaded'],
  handle: (event) => documentStatements(event),
};

function documentStatements(event: DocumentEvent): SqlStatement[] {
  const { metadata: m } = event;
  switch (event.type) {
    case 'DocumentUploaded': {
      const d = event.data;
      return [
        sql(
          `INSERT INTO documents (tenant_id, document_id, status, file_name, media_type, size_bytes,
             sha256, blob_ref, external_patient_id, document_type_hint, duplicate_of, correlation_id,
             uploaded_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
           ON CONFLICT (tenant_id, document_id) DO NOTHING`,
          m.tenantId,
          m.aggregateId,
          'uploaded' satisfies DocumentStatus,
          d.fileName,
          d.mediaType,
          d.sizeBytes,
          d.sha256,
          d.blobRef,
          d.externalPatientId,
          d.documentTypeHint,
          d.duplicateOf,
          m.correlationId,
          new Date(m.occurredAt),
        ),
      ];
    }
    default:
      return assertNever(event.type);
  }
}

function assertNever(type: never): never {
  throw new Error(`documents projection does not handle ${String(type)}`);
}
