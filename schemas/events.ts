import type {
  ArchiveExpandedData,
  BatchClosedData,
  BatchCompletedData,
  BatchOpenedData,
  DocumentClassifiedData,
  DocumentErasedData,
  DocumentProcessingFailedData,
  DocumentRejectedData,
  DocumentReprocessRequestedData,
  DocumentRestoredData,
  DocumentTrashedData,
  DocumentTypeHint,
  DocumentUploadedData,
  DocumentValidatedData,
  EntitiesExtractedData,
  Envelope,
  ExtractedPage,
  LogDigestData,
  PatientDataReadData,
  PatientErasedData,
  PatientMatchedData,
  PatientMatchReviewRequiredData,
  PatientRecordLinkedData,
  PatientRegisteredData,
  PatientsMergedData,
  QualityAssessedData,
  RetentionPolicyChangedData,
  ReviewResolvedData,
  TextExtractedData,
} from './generated/events.ts';

/** The shapes of events' data and of the records they share, generated from schemas/avro. */
export type * from './generated/events.ts';

/** Metadata every event carries (the Avro Envelope, less `type`, which sits beside it). */
export type EventMetadata = Readonly<Omit<Envelope, 'type'>>;

export interface Event<Type extends string, Data> {
  readonly type: Type;
  readonly metadata: EventMetadata;
  readonly data: Readonly<Data>;
}

/** How one page's text was read. */
export type ExtractionMethod = ExtractedPage['method'];

export type DocumentUploaded = Event<'DocumentUploaded', DocumentUploadedData>;
export type DocumentReprocessRequested = Event<
  'DocumentReprocessRequested',
  DocumentReprocessRequestedData
>;
export type DocumentValidated = Event<'DocumentValidated', DocumentValidatedData>;
export type DocumentRejected = Event<'DocumentRejected', DocumentRejectedData>;
/** A zip or an e-mail was opened into child documents. */
export type ArchiveExpanded = Event<'ArchiveExpanded', ArchiveExpandedData>;
export type TextExtracted = Event<'TextExtracted', TextExtractedData>;
export type DocumentClassified = Event<'DocumentClassified', DocumentClassifiedData>;
export type DocumentProcessingFailed = Event<
  'DocumentProcessingFailed',
  DocumentProcessingFailedData
>;
export type EntitiesExtracted = Event<'EntitiesExtracted', EntitiesExtractedData>;
export type QualityAssessed = Event<'QualityAssessed', QualityAssessedData>;
export type PatientMatched = Event<'PatientMatched', PatientMatchedData>;
export type PatientMatchReviewRequired = Event<
  'PatientMatchReviewRequired',
  PatientMatchReviewRequiredData
>;
export type ReviewResolved = Event<'ReviewResolved', ReviewResolvedData>;
export type PatientRegistered = Event<'PatientRegistered', PatientRegisteredData>;
export type PatientRecordLinked = Event<'PatientRecordLinked', PatientRecordLinkedData>;
export type PatientsMerged = Event<'PatientsMerged', PatientsMergedData>;
/** A patient was erased (crypto-shredded): ids, who and why, no patient data. */
export type PatientErased = Event<'PatientErased', PatientErasedData>;
/** A document was erased (crypto-shredded): ids, who and why, no patient data. */
export type DocumentErased = Event<'DocumentErased', DocumentErasedData>;
/** A document was deleted into the trash, restorable until retention erases it. */
export type DocumentTrashed = Event<'DocumentTrashed', DocumentTrashedData>;
/** A deleted document was taken back out of the trash. */
export type DocumentRestored = Event<'DocumentRestored', DocumentRestoredData>;
export type BatchOpened = Event<'BatchOpened', BatchOpenedData>;
export type BatchClosed = Event<'BatchClosed', BatchClosedData>;
export type BatchCompleted = Event<'BatchCompleted', BatchCompletedData>;
/** Who read which patient data, on the audit log, keyed by the tenant. */
export type PatientDataRead = Event<'PatientDataRead', PatientDataReadData>;
/** An admin changed the tenant's retention policy, on the audit log. */
export type RetentionPolicyChanged = Event<'RetentionPolicyChanged', RetentionPolicyChangedData>;
/** A signed link of one partition's digest chain, on the digest log. */
export type LogDigest = Event<'LogDigest', LogDigestData>;

export type DocumentEvent =
  | DocumentUploaded
  | DocumentReprocessRequested
  | DocumentValidated
  | DocumentRejected
  | ArchiveExpanded
  | TextExtracted
  | DocumentClassified
  | DocumentProcessingFailed
  | EntitiesExtracted
  | QualityAssessed
  | PatientMatched
  | PatientMatchReviewRequired
  | ReviewResolved
  | DocumentTrashed
  | DocumentRestored
  | DocumentErased;
export type PatientEvent = PatientRegistered | PatientRecordLinked | PatientsMerged | PatientErased;
export type BatchEvent = BatchOpened | BatchClosed | BatchCompleted;
export type AuditEvent = PatientDataRead | RetentionPolicyChanged;
export type DigestEvent = LogDigest;
export type DomainEvent = DocumentEvent | PatientEvent | BatchEvent | AuditEvent | DigestEvent;
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
