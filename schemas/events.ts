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

export type DocumentEvent =
  | DocumentUploaded
  | DocumentReprocessRequested
  | DocumentValidated
  | DocumentRejected
  | TextExtracted
  | DocumentClassified
  | DocumentProcessingFailed;
export type DomainEvent = DocumentEvent;
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
export function roundOf(event: DocumentEvent): number {
  if (event.type === 'DocumentUploaded') return 1;
  return event.data.round ?? 1;
}

/** Where an event sits in the log. */
export interface LogPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}
