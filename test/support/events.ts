import { randomUUID } from 'node:crypto';
import type {
  DocumentUploaded,
  EventMetadata,
  EventOfType,
  EventType,
} from '../../schemas/events.ts';

type Overrides = {
  metadata?: Partial<DocumentUploaded['metadata']>;
  data?: Partial<DocumentUploaded['data']>;
};

function metadata(overrides: Partial<EventMetadata> = {}): EventMetadata {
  return {
    eventId: randomUUID(),
    occurredAt: Date.parse('2026-11-24T10:00:00.123Z'),
    tenantId: 'tenant-a',
    aggregateId: randomUUID(),
    correlationId: randomUUID(),
    causationId: null,
    actor: 'api-client',
    ...overrides,
  };
}

/** A valid DocumentUploaded with fresh ids; override what the test is about. */
export function documentUploaded(overrides: Overrides = {}): DocumentUploaded {
  return {
    type: 'DocumentUploaded',
    metadata: metadata(overrides.metadata),
    data: {
      fileName: '4471_PEREZ LOPEZ, ANA_12_LAB.pdf',
      mediaType: 'application/pdf',
      sizeBytes: 1234,
      sha256: 'a'.repeat(64),
      blobRef: `sha256:${'a'.repeat(64)}`,
      externalPatientId: 'EXP-4471',
      documentTypeHint: 'lab-result',
      duplicateOf: null,
      batchId: null,
      exportName: {
        recordNumber: '4471',
        patientName: 'PEREZ LOPEZ, ANA',
        episode: '12',
        typeCode: 'LAB',
        documentType: 'lab-result',
      },
      ...overrides.data,
    },
  };
}

/** Any document event with fresh metadata; `data` is the whole payload. */
export function documentEvent<T extends EventType>(
  type: T,
  data: EventOfType<T>['data'],
  meta: Partial<EventMetadata> = {},
): EventOfType<T> {
  return { type, metadata: metadata(meta), data } as EventOfType<T>;
}

/** The events of a document's chain, for the document of `upload`; override what matters. */
export function chainOf(upload: DocumentUploaded) {
  const { tenantId, aggregateId, correlationId } = upload.metadata;
  const meta = (actor: string) => ({ tenantId, aggregateId, correlationId, actor });
  const { blobRef, mediaType } = upload.data;
  return {
    reprocessRequested: (round: number) =>
      documentEvent(
        'DocumentReprocessRequested',
        { round, reason: 'new OCR model', mediaType, blobRef, hint: null },
        meta('api-client'),
      ),
    validated: (data: Partial<EventOfType<'DocumentValidated'>['data']> = {}) =>
      documentEvent(
        'DocumentValidated',
        {
          round: 1,
          mediaType,
          blobRef,
          pageCount: 1,
          pages: [{ page: 1, width: 612, height: 792 }],
          hint: null,
          ...data,
        },
        meta('validate@1.0.0'),
      ),
    rejected: (reason: string, round = 1) =>
      documentEvent(
        'DocumentRejected',
        { round, reason, message: `rejected: ${reason}` },
        meta('validate@1.0.0'),
      ),
    textExtracted: (texts: string[], data: Partial<EventOfType<'TextExtracted'>['data']> = {}) =>
      documentEvent(
        'TextExtracted',
        {
          round: 1,
          method: 'text-layer',
          language: 'spa',
          confidence: 1,
          charCount: texts.join('').length,
          pages: texts.map((text, i) => ({
            page: i + 1,
            method: 'text-layer' as const,
            confidence: 1,
            charCount: text.length,
            text,
          })),
          textRef: null,
          hint: null,
          ...data,
        },
        meta('extract-text@1.0.0'),
      ),
    classified: (documentType: string, round = 1) =>
      documentEvent(
        'DocumentClassified',
        {
          round,
          documentType,
          confidence: 0.9,
          evidence: [{ source: 'title', documentType, detail: 'matched title', weight: 3 }],
          scores: [{ documentType, score: 3 }],
        },
        meta('classify@1.0.0'),
      ),
    failed: (processor: string, round: number | null = 1) =>
      documentEvent(
        'DocumentProcessingFailed',
        {
          round,
          processor,
          reason: 'Error: boom',
          failedEventType: 'DocumentValidated',
          failedEventId: null,
          deadLetter: { topic: `docstream.dlq.${processor}`, partition: 0, offset: '0' },
        },
        meta(`${processor}@1.0.0`),
      ),
  };
}
