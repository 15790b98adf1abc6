/** Metadata every event carries (the Avro Envelope, less `type`, which sits beside it). */
export interface EventMetadata {
  readonly eventId: string;
  readonly occurredAt: number;
  readonly tenantId: string;
  readonly aggregateId: string;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly actor: string;
}

export interface Event<Type extends string, Data> {
  readonly type: Type;
  readonly metadata: EventMetadata;
  readonly data: Readonly<Data>;
}

/** What a hospital export's file name said: `<record>_<SURNAMES, NAMES>_<episode>_<TYPE>.pdf`. */
export interface ExportName {
  readonly recordNumber: string;
  readonly patientName: string;
  readonly episode: string;
  readonly typeCode: string;
  /** Our document type for the code, when the code is one we know. */
  readonly documentType: string | null;
}

/** A document type someone or something suggested before the text was read. */
export interface DocumentTypeHint {
  readonly documentType: string;
  readonly source: 'client' | 'file-name';
}

export type DocumentUploaded = Event<
  'DocumentUploaded',
  {
    fileName: string;
    mediaType: string;
    sizeBytes: number;
    sha256: string;
    blobRef: string;
    externalPatientId: string | null;
    documentTypeHint: string | null;
    duplicateOf: string | null;
    exportName: ExportName | null;
    /** The batch upload this file arrived in, if any. */
    batchId: string | null;
  }
>;

/** Someone asked for the chain to run again on the stored bytes: round `round` starts. */
export type DocumentReprocessRequested = Event<
  'DocumentReprocessRequested',
  {
    round: number;
    reason: string | null;
    mediaType: string;
    blobRef: string;
    hint: DocumentTypeHint | null;
  }
>;

export interface PageInfo {
  readonly page: number;
  readonly width: number;
  readonly height: number;
}

export type DocumentValidated = Event<
  'DocumentValidated',
  {
    round: number;
    mediaType: string;
    blobRef: string;
    pageCount: number;
    /** Page sizes: points for PDF pages, pixels for images. */
    pages: PageInfo[];
    hint: DocumentTypeHint | null;
  }
>;

export type DocumentRejected = Event<
  'DocumentRejected',
  {
    round: number;
    /** Stable code a client can act on, e.g. PDF_ENCRYPTED, TOO_MANY_PAGES. */
    reason: string;
    message: string;
  }
>;

export type ExtractionMethod = 'text-layer' | 'ocr' | 'plain-text';

export interface ExtractedPage {
  readonly page: number;
  readonly method: ExtractionMethod;
  /** 0..1: 1 for a text layer or plain text, tesseract's mean word confidence for OCR. */
  readonly confidence: number;
  readonly charCount: number;
  /** The page's text, or null when the whole text is in the blob store under `textRef`. */
  readonly text: string | null;
}

export type TextExtracted = Event<
  'TextExtracted',
  {
    round: number;
    /** `mixed` when some pages had a text layer and others were read by OCR. */
    method: ExtractionMethod | 'mixed';
    /** ISO 639-3 code of the text's language (`eng`, `spa`), or `und` when undecided. */
    language: string;
    confidence: number;
    charCount: number;
    pages: ExtractedPage[];
    /** Blob holding `{ pages: [{ page, text }] }` when the text was too large to carry inline. */
    textRef: string | null;
    hint: DocumentTypeHint | null;
  }
>;

export interface ClassificationEvidence {
  readonly source: 'text' | 'title' | 'file-name' | 'client';
  readonly documentType: string;
  readonly detail: string;
  readonly weight: number;
}

export type DocumentClassified = Event<
  'DocumentClassified',
  {
    round: number;
    documentType: string;
    confidence: number;
    evidence: ClassificationEvidence[];
    /** Every type that scored, best first. */
    scores: Array<{ documentType: string; score: number }>;
  }
>;

/** A processor gave up on an event of this document; the event is in its dead-letter topic. */
export type DocumentProcessingFailed = Event<
  'DocumentProcessingFailed',
  {
    round: number | null;
    processor: string;
    reason: string;
    failedEventType: string | null;
    failedEventId: string | null;
    deadLetter: { topic: string; partition: number; offset: string };
  }
>;

/** Where an entity was read: its page, its character span in that page's text, and how sure. */
export interface Span {
  readonly page: number;
  readonly start: number;
  readonly end: number;
  readonly confidence: number;
}

/** A value read from the text, normalised (`value`), with where it was read. */
export interface TextEntity {
  readonly value: string;
  readonly span: Span;
}

export interface IdentifierEntity {
  /** `record-number` (expediente / hospital record), `mrn`, `curp`. */
  readonly kind: string;
  readonly value: string;
  readonly span: Span;
}

export interface NameEntity {
  /** As printed, whitespace collapsed. */
  readonly value: string;
  /** Split when the text says which part is which (`SURNAMES, NAMES`, labelled fields). */
  readonly surnames: string | null;
  readonly givenNames: string | null;
  readonly span: Span;
}

export interface LabEntity {
  readonly test: string;
  readonly value: number;
  readonly unit: string | null;
  /** As printed, e.g. `70-100`, `< 200`. */
  readonly referenceRange: string | null;
  readonly referenceLow: number | null;
  readonly referenceHigh: number | null;
  readonly flag: 'H' | 'L' | null;
  /** `printed` (H/L, ALTO/BAJO next to the value) or `computed` from the range. */
  readonly flagSource: 'printed' | 'computed' | null;
  readonly span: Span;
}

export interface MedicationEntity {
  readonly name: string;
  readonly strength: string | null;
  readonly route: string | null;
  /** As printed, e.g. `cada 12 horas`, `BID`, `twice daily`. */
  readonly frequency: string | null;
  /** The frequency as doses per day, when it says. */
  readonly timesPerDay: number | null;
  readonly span: Span;
}

export interface DiagnosisEntity {
  readonly text: string;
  readonly icd10: string | null;
  readonly span: Span;
}

export interface VitalEntity {
  /** `bp`, `hr`, `temp`, `spo2`, `weight`. */
  readonly kind: string;
  /** As normalised, e.g. `120/80`, `36.8`. */
  readonly value: string;
  readonly unit: string | null;
  readonly span: Span;
}

export type EntitiesExtracted = Event<
  'EntitiesExtracted',
  {
    round: number;
    /** How the document prints dates: `DMY` (Mexico) or `MDY` (US), and why we think so. */
    dateFormat: 'DMY' | 'MDY';
    dateFormatBasis: string;
    identifiers: IdentifierEntity[];
    patientName: NameEntity | null;
    /** YYYY-MM-DD */
    dateOfBirth: TextEntity | null;
    /** `F` or `M` */
    sex: TextEntity | null;
    encounterDate: TextEntity | null;
    collectionDate: TextEntity | null;
    provider: TextEntity | null;
    facility: TextEntity | null;
    labs: LabEntity[];
    medications: MedicationEntity[];
    diagnoses: DiagnosisEntity[];
    vitals: VitalEntity[];
  }
>;

export interface QualityReason {
  /** Stable code, e.g. LOW_OCR_CONFIDENCE, MISSING_IDENTIFIER, UNREADABLE_PAGE. */
  readonly code: string;
  readonly detail: string;
  /** How much it took off the score. */
  readonly penalty: number;
}

export type QualityAssessed = Event<
  'QualityAssessed',
  { round: number; score: number; reasons: QualityReason[] }
>;

/** Who the document says its patient is: what matching compared. */
export interface PatientSubject {
  readonly facility: string | null;
  readonly identifiers: ReadonlyArray<{ kind: string; value: string }>;
  readonly name: string | null;
  readonly surnames: string | null;
  readonly givenNames: string | null;
  readonly dateOfBirth: string | null;
  readonly sex: string | null;
}

export interface FieldEvidence {
  /** `record-number`, `curp`, `name`, `dateOfBirth`, `sex`, ... */
  readonly field: string;
  /** 0..1 agreement of this field, or null when one side lacks it. */
  readonly agreement: number | null;
  readonly weight: number;
  readonly detail: string;
}

export interface MatchCandidate {
  readonly patientId: string;
  readonly score: number;
  readonly evidence: FieldEvidence[];
}

export type PatientMatched = Event<
  'PatientMatched',
  {
    round: number;
    patientId: string;
    score: number;
    /** `identifier` (exact record number within a facility, or national id) or `probabilistic`. */
    method: string;
    candidates: MatchCandidate[];
  }
>;

export type PatientMatchReviewRequired = Event<
  'PatientMatchReviewRequired',
  {
    round: number;
    reviewId: string;
    score: number;
    subject: PatientSubject;
    candidates: MatchCandidate[];
  }
>;

/** A person new to the index. Keyed by the patient; `documentId` names the document that led to it. */
export type PatientRegistered = Event<
  'PatientRegistered',
  {
    documentId: string | null;
    round: number | null;
    /** Best score against the index when the document was matched, if it was. */
    score: number | null;
    subject: PatientSubject;
    candidates: MatchCandidate[];
    /** `match` (nobody close enough) or `review` (a reviewer said so). */
    reason: string;
  }
>;

export type ReviewResolved = Event<
  'ReviewResolved',
  {
    round: number;
    reviewId: string;
    /** `assigned` to a candidate, `registered` as a new patient, or `rejected`. */
    resolution: string;
    patientId: string | null;
    note: string | null;
  }
>;

/**
 * A document matched to this patient (by the matcher or a reviewer) named it in ways the index
 * did not know yet: another record number, a CURP. Keyed by the patient; later documents that
 * carry those identifiers match it exactly.
 */
export type PatientRecordLinked = Event<
  'PatientRecordLinked',
  { documentId: string; round: number; subject: PatientSubject }
>;

/** Two patients were one person: `mergedId` lives on as the patient this event is keyed by. */
export type PatientsMerged = Event<'PatientsMerged', { mergedId: string; reason: string | null }>;

export type BatchOpened = Event<'BatchOpened', { name: string | null }>;
export type BatchClosed = Event<'BatchClosed', { fileCount: number }>;
export type BatchCompleted = Event<
  'BatchCompleted',
  {
    fileCount: number;
    processed: number;
    failed: number;
    matched: number;
    created: number;
    inReview: number;
  }
>;

export type DocumentEvent =
  | DocumentUploaded
  | DocumentReprocessRequested
  | DocumentValidated
  | DocumentRejected
  | TextExtracted
  | DocumentClassified
  | DocumentProcessingFailed
  | EntitiesExtracted
  | QualityAssessed
  | PatientMatched
  | PatientMatchReviewRequired
  | ReviewResolved;
export type PatientEvent = PatientRegistered | PatientRecordLinked | PatientsMerged;
export type BatchEvent = BatchOpened | BatchClosed | BatchCompleted;
export type DomainEvent = DocumentEvent | PatientEvent | BatchEvent;
export type EventType = DomainEvent['type'];
export type EventOfType<T extends EventType> = Extract<DomainEvent, { type: T }>;

/** What an upload said of the document's type: the client's hint first, else its file name's. */
export function uploadHint(upload: {
  documentTypeHint: string | null;
  exportDocumentType: string | null;
}): DocumentTypeHint | null {
  if (upload.documentTypeHint) return { documentType: upload.documentTypeHint, source: 'client' };
  if (upload.exportDocumentType) {
    return { documentType: upload.exportDocumentType, source: 'file-name' };
  }
  return null;
}

/** The chain a document's round runs through; the round of its upload is 1. */
export function roundOf(event: DomainEvent): number {
  const round = (event.data as { round?: number | null }).round;
  return typeof round === 'number' ? round : 1;
}

/** Where an event sits in the log. */
export interface LogPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}
