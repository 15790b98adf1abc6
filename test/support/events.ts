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
      parentDocumentId: null,
      entryPath: null,
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

type DataOf<T extends EventType> = EventOfType<T>['data'];

/** Where an entity was read, for builders: page 1, characters `start`..`start + 10`. */
export const spanAt = (start = 0, page = 1) => ({
  page,
  start,
  end: start + 10,
  confidence: 0.9,
});

/** A lab value as the extractor reports it; override what the test is about. */
export function labEntity(
  test: string,
  value: number,
  overrides: Partial<DataOf<'EntitiesExtracted'>['labs'][number]> = {},
): DataOf<'EntitiesExtracted'>['labs'][number] {
  return {
    test,
    value,
    unit: 'mg/dL',
    referenceRange: '70-100',
    referenceLow: 70,
    referenceHigh: 100,
    flag: value > 100 ? 'H' : value < 70 ? 'L' : null,
    flagSource: 'computed',
    span: spanAt(),
    ...overrides,
  };
}

/** Who a document says its patient is; override what the test is about. */
export function patientSubject(
  overrides: Partial<DataOf<'PatientRegistered'>['subject']> = {},
): DataOf<'PatientRegistered'>['subject'] {
  return {
    facility: 'Hospital Central',
    identifiers: [{ kind: 'record-number', value: '4471' }],
    name: 'ANA PEREZ LOPEZ',
    surnames: 'PEREZ LOPEZ',
    givenNames: 'ANA',
    dateOfBirth: '1980-05-17',
    sex: 'F',
    ...overrides,
  };
}

/** The entity extraction and patient decision events of the document of `upload`. */
export function matchingOf(upload: DocumentUploaded) {
  const { tenantId, aggregateId, correlationId } = upload.metadata;
  const meta = (actor: string) => ({ tenantId, aggregateId, correlationId, actor });
  return {
    entitiesExtracted: (data: Partial<DataOf<'EntitiesExtracted'>> = {}) =>
      documentEvent(
        'EntitiesExtracted',
        {
          round: 1,
          dateFormat: 'DMY',
          dateFormatBasis: 'day above 12',
          identifiers: [{ kind: 'record-number', value: '4471', span: spanAt(20) }],
          patientName: {
            value: 'PEREZ LOPEZ, ANA',
            surnames: 'PEREZ LOPEZ',
            givenNames: 'ANA',
            span: spanAt(40),
          },
          dateOfBirth: { value: '1980-05-17', span: spanAt(60) },
          sex: { value: 'F', span: spanAt(80) },
          encounterDate: null,
          collectionDate: null,
          provider: null,
          facility: { value: 'Hospital Central', span: spanAt(100) },
          labs: [],
          medications: [],
          diagnoses: [],
          vitals: [],
          ...data,
        },
        meta('extract-entities@1.0.0'),
      ),
    qualityAssessed: (score: number, round = 1) =>
      documentEvent(
        'QualityAssessed',
        {
          round,
          score,
          reasons: [{ code: 'LOW_OCR_CONFIDENCE', detail: 'page 1 at 0.7', penalty: 1 - score }],
        },
        meta('extract-entities@1.0.0'),
      ),
    patientMatched: (patientId: string, data: Partial<DataOf<'PatientMatched'>> = {}) =>
      documentEvent(
        'PatientMatched',
        { round: 1, patientId, score: 0.97, method: 'identifier', candidates: [], ...data },
        meta('match-patient@1.0.0'),
      ),
    reviewRequired: (
      reviewId: string,
      candidates: DataOf<'PatientMatchReviewRequired'>['candidates'],
      data: Partial<DataOf<'PatientMatchReviewRequired'>> = {},
    ) =>
      documentEvent(
        'PatientMatchReviewRequired',
        { round: 1, reviewId, score: 0.72, subject: patientSubject(), candidates, ...data },
        meta('match-patient@1.0.0'),
      ),
    reviewResolved: (
      reviewId: string,
      resolution: 'assigned' | 'registered' | 'rejected',
      patientId: string | null,
      data: Partial<DataOf<'ReviewResolved'>> = {},
    ) =>
      documentEvent(
        'ReviewResolved',
        { round: 1, reviewId, resolution, patientId, note: null, ...data },
        meta('reviewer:ana.reviewer'),
      ),
  };
}

/** A patient registered in the index, keyed by its id. */
export function patientRegistered(
  patientId: string,
  data: Partial<DataOf<'PatientRegistered'>> = {},
  meta: Partial<EventMetadata> = {},
) {
  return documentEvent(
    'PatientRegistered',
    {
      documentId: null,
      round: 1,
      score: null,
      subject: patientSubject(),
      candidates: [],
      reason: 'match',
      ...data,
    },
    { aggregateId: patientId, actor: 'match-patient@1.0.0', ...meta },
  );
}

/** `mergedId` merged into `survivorId`, keyed by the survivor. */
export function patientsMerged(
  survivorId: string,
  mergedId: string,
  meta: Partial<EventMetadata> = {},
) {
  return documentEvent(
    'PatientsMerged',
    { mergedId, reason: 'same person' },
    { aggregateId: survivorId, actor: 'reviewer:ana.reviewer', ...meta },
  );
}
