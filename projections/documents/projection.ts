import { CONTAINER_MEDIA_TYPES } from '../../infra/blobs/media-type.ts';
import { type DocumentEvent, roundOf } from '../../schemas/events.ts';
import { defineProjection, type SqlStatement, sql } from '../runtime/projection.ts';

export const DOCUMENT_STATUSES = [
  'uploaded',
  'validated',
  'text-extracted',
  'classified',
  'rejected',
  'failed',
  // A zip or an e-mail, opened into child documents that go through the chain on their own.
  'expanded',
] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

/** Terminal states: the chain has nothing more to do with the document's round. */
export const TERMINAL_STATUSES: readonly DocumentStatus[] = [
  'classified',
  'rejected',
  'failed',
  'expanded',
];

/** How the current round's patient decision stands; null until one is made. */
export const MATCH_STATUSES = ['matched', 'registered', 'review', 'rejected'] as const;
export type MatchStatus = (typeof MATCH_STATUSES)[number];

/**
 * Sets columns of the document's current round. Events of an older round (a processor still
 * finishing it after a reprocess was asked for) change nothing.
 */
function updateRound(
  event: DocumentEvent,
  columns: Record<string, unknown>,
  extraCondition?: { column: string; value: unknown },
): SqlStatement {
  const { tenantId, aggregateId, occurredAt } = event.metadata;
  const entries = Object.entries(columns);
  const sets = entries.map(([name], i) => `, ${name} = $${i + 5}`).join('');
  const values = entries.map(([, value]) => value);
  const extra = extraCondition ? ` AND ${extraCondition.column} = $${entries.length + 5}` : '';
  return sql(
    `UPDATE documents SET updated_at = $3${sets}
     WHERE tenant_id = $1 AND document_id = $2 AND round = $4${extra}`,
    tenantId,
    aggregateId,
    new Date(occurredAt),
    roundOf(event),
    ...values,
    ...(extraCondition ? [extraCondition.value] : []),
  );
}

/** Moves the document's current round along the chain. */
const advance = (event: DocumentEvent, status: DocumentStatus, columns: Record<string, unknown>) =>
  updateRound(event, { status, ...columns });

const RESOLUTION_STATUS: Record<string, MatchStatus> = {
  assigned: 'matched',
  registered: 'registered',
  rejected: 'rejected',
};

/** Each document's current round: where it stands in the chain and what it was found to be. */
export const documentsProjection = defineProjection({
  name: 'documents',
  handlers: {
    DocumentUploaded: (event) => {
      const { data: d, metadata: m } = event;
      return [
        sql(
          `INSERT INTO documents (tenant_id, document_id, status, file_name, media_type, size_bytes,
             sha256, blob_ref, external_patient_id, document_type_hint, duplicate_of, correlation_id,
             uploaded_at, updated_at, export_record_number, export_type_code, export_document_type,
             parent_document_id, entry_path)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14, $15, $16, $17,
             $18)
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
          d.parentDocumentId ?? null,
          d.entryPath ?? null,
        ),
      ];
    },
    DocumentReprocessRequested: (event) => {
      const { metadata: m } = event;
      // A container is not opened again (its children get rounds of their own): it stays as it was.
      if (CONTAINER_MEDIA_TYPES.includes(event.data.mediaType)) {
        return [
          sql(
            `UPDATE documents SET round = $3, updated_at = $4
             WHERE tenant_id = $1 AND document_id = $2 AND round < $3`,
            m.tenantId,
            m.aggregateId,
            event.data.round,
            new Date(m.occurredAt),
          ),
        ];
      }
      return [
        sql(
          `UPDATE documents SET round = $3, status = 'uploaded', status_reason = NULL,
             status_message = NULL, updated_at = $4, quality_score = NULL, quality_reasons = NULL,
             patient_id = NULL, match_status = NULL, match_score = NULL, match_method = NULL,
             review_id = NULL
           WHERE tenant_id = $1 AND document_id = $2 AND round < $3`,
          m.tenantId,
          m.aggregateId,
          event.data.round,
          new Date(m.occurredAt),
        ),
      ];
    },
    DocumentValidated: (event) => [
      advance(event, 'validated', { page_count: event.data.pageCount }),
    ],
    DocumentRejected: (event) => [
      advance(event, 'rejected', {
        status_reason: event.data.reason,
        status_message: event.data.message,
      }),
    ],
    ArchiveExpanded: (event) => [
      advance(event, 'expanded', {
        children_accepted: event.data.accepted.length,
        children_rejected: JSON.stringify(event.data.rejected),
      }),
    ],
    TextExtracted: (event) => [
      advance(event, 'text-extracted', {
        text_method: event.data.method,
        text_language: event.data.language,
        text_confidence: event.data.confidence,
        text_chars: event.data.charCount,
      }),
    ],
    DocumentClassified: (event) => [
      advance(event, 'classified', {
        document_type: event.data.documentType,
        classification_confidence: event.data.confidence,
        classification_evidence: JSON.stringify(event.data.evidence),
      }),
    ],
    DocumentProcessingFailed: (event) => [
      advance(event, 'failed', {
        status_reason: 'PROCESSING_FAILED',
        status_message: `${event.data.processor} gave up: ${event.data.reason}`,
      }),
    ],
    QualityAssessed: (event) => [
      updateRound(event, {
        quality_score: event.data.score,
        quality_reasons: JSON.stringify(event.data.reasons),
      }),
    ],
    PatientMatched: (event) => [
      updateRound(event, {
        patient_id: event.data.patientId,
        match_status: (event.data.method === 'registered'
          ? 'registered'
          : 'matched') satisfies MatchStatus,
        match_score: event.data.score,
        match_method: event.data.method,
        review_id: null,
      }),
    ],
    PatientMatchReviewRequired: (event) => [
      updateRound(event, {
        patient_id: null,
        match_status: 'review' satisfies MatchStatus,
        match_score: event.data.score,
        match_method: null,
        review_id: event.data.reviewId,
      }),
    ],
    // The trash hides the document from reads; its round and status stay as they were.
    DocumentTrashed: (event) => [
      sql(
        'UPDATE documents SET trashed_at = $3 WHERE tenant_id = $1 AND document_id = $2',
        event.metadata.tenantId,
        event.metadata.aggregateId,
        new Date(event.metadata.occurredAt),
      ),
    ],
    DocumentRestored: (event) => [
      sql(
        'UPDATE documents SET trashed_at = NULL WHERE tenant_id = $1 AND document_id = $2',
        event.metadata.tenantId,
        event.metadata.aggregateId,
      ),
    ],
    // Erased: the row goes; later events of the document update nothing.
    DocumentErased: (event) => [
      sql(
        'DELETE FROM documents WHERE tenant_id = $1 AND document_id = $2',
        event.metadata.tenantId,
        event.metadata.aggregateId,
      ),
    ],
    ReviewResolved: (event) => {
      const status = RESOLUTION_STATUS[event.data.resolution];
      if (!status) return [];
      // Only the resolution of the review the current round is waiting on counts.
      return [
        updateRound(
          event,
          { patient_id: event.data.patientId, match_status: status, match_method: 'review' },
          { column: 'review_id', value: event.data.reviewId },
        ),
      ];
    },
  },
});
