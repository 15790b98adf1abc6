import { type DocumentEvent, roundOf } from '../../schemas/events.ts';
import { assertNever, type Projection, type SqlStatement, sql } from '../runtime/projection.ts';

export const DOCUMENT_STATUSES = [
  'uploaded',
  'validated',
  'text-extracted',
  'classified',
  'rejected',
  'failed',
] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

/** Terminal states: the chain has nothing more to do with the document's round. */
export const TERMINAL_STATUSES: readonly DocumentStatus[] = ['classified', 'rejected', 'failed'];

export const documentsProjection: Projection = {
  name: 'documents',
  canHandle: [
    'DocumentUploaded',
    'DocumentReprocessRequested',
    'DocumentValidated',
    'DocumentRejected',
    'TextExtracted',
    'DocumentClassified',
    'DocumentProcessingFailed',
  ],
  handle: (event) => documentStatements(event as DocumentEvent),
};

/**
 * Moves the document's current round along the chain. Events of an older round (a processor
 * still finishing it after a reprocess was asked for) change nothing.
 */
function advance(
  event: DocumentEvent,
  status: DocumentStatus,
  columns: Record<string, unknown>,
): SqlStatement {
  const { tenantId, aggregateId, occurredAt } = event.metadata;
  const names = Object.keys(columns);
  const sets = names.map((name, i) => `${name} = $${i + 6}`);
  return sql(
    `UPDATE documents SET status = $3, updated_at = $4${sets.map((s) => `, ${s}`).join('')}
     WHERE tenant_id = $1 AND document_id = $2 AND round = $5`,
    tenantId,
    aggregateId,
    status,
    new Date(occurredAt),
    roundOf(event),
    ...Object.values(columns),
  );
}

function documentStatements(event: DocumentEvent): SqlStatement[] {
  const { metadata: m } = event;
  switch (event.type) {
    case 'DocumentUploaded': {
      const d = event.data;
      return [
        sql(
          `INSERT INTO documents (tenant_id, document_id, status, file_name, media_type, size_bytes,
             sha256, blob_ref, external_patient_id, document_type_hint, duplicate_of, correlation_id,
             uploaded_at, updated_at, export_record_number, export_type_code, export_document_type)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14, $15, $16)
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
          d.exportName?.recordNumber ?? null,
          d.exportName?.typeCode ?? null,
          d.exportName?.documentType ?? null,
        ),
      ];
    }
    case 'DocumentReprocessRequested':
      return [
        sql(
          `UPDATE documents SET round = $3, status = 'uploaded', status_reason = NULL,
             status_message = NULL, updated_at = $4
           WHERE tenant_id = $1 AND document_id = $2 AND round < $3`,
          m.tenantId,
          m.aggregateId,
          event.data.round,
          new Date(m.occurredAt),
        ),
      ];
    case 'DocumentValidated':
      return [advance(event, 'validated', { page_count: event.data.pageCount })];
    case 'DocumentRejected':
      return [
        advance(event, 'rejected', {
          status_reason: event.data.reason,
          status_message: event.data.message,
        }),
      ];
    case 'TextExtracted':
      return [
        advance(event, 'text-extracted', {
          text_method: event.data.method,
          text_language: event.data.language,
          text_confidence: event.data.confidence,
          text_chars: event.data.charCount,
        }),
      ];
    case 'DocumentClassified':
      return [
        advance(event, 'classified', {
          document_type: event.data.documentType,
          classification_confidence: event.data.confidence,
          classification_evidence: JSON.stringify(event.data.evidence),
        }),
      ];
    case 'DocumentProcessingFailed':
      return [
        advance(event, 'failed', {
          status_reason: 'PROCESSING_FAILED',
          status_message: `${event.data.processor} gave up: ${event.data.reason}`,
        }),
      ];
    case 'EntitiesExtracted':
    case 'QualityAssessed':
    case 'PatientMatched':
    case 'PatientMatchReviewRequired':
    case 'ReviewResolved':
      return [];
    default:
      return assertNever(event);
  }
}
