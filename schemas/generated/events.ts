// Generated from schemas/avro/*.avsc by schemas/generate-types.ts. Do not edit:
// change the schema, then run `npm run generate`.

/**
 * Fields every docstream event carries.
 */
export interface Envelope {
    eventId: string;
    /**
     * Event type, e.g. DocumentUploaded
     */
    type: string;
    occurredAt: number;
    tenantId: string;
    /**
     * Kafka key: the document, patient or batch id
     */
    aggregateId: string;
    /**
     * The upload or batch this event belongs to
     */
    correlationId: string;
    /**
     * The event that caused this one
     *
     * Default: null
     */
    causationId: null | string;
    /**
     * API key id, user, or processor-name@version
     */
    actor: string;
}

export type DocumentTypeHintSource = "client" | "file-name";

/**
 * A document type suggested before the text was read: by the client, or by an export file name.
 */
export interface DocumentTypeHint {
    documentType: string;
    /**
     * client or file-name
     */
    source: DocumentTypeHintSource;
}

/**
 * Where an entity was read: page, character span in that page's text, and how sure
 */
export interface Span {
    page: number;
    /**
     * offset of the first character in the page's text
     */
    start: number;
    /**
     * offset after the last character
     */
    end: number;
    confidence: number;
}

export interface SubjectIdentifier {
    kind: string;
    value: string;
}

/**
 * Who a document says its patient is: what matching compared
 */
export interface PatientSubject {
    /**
     * Default: null
     */
    facility: null | string;
    identifiers: SubjectIdentifier[];
    /**
     * Default: null
     */
    name: null | string;
    /**
     * Default: null
     */
    surnames: null | string;
    /**
     * Default: null
     */
    givenNames: null | string;
    /**
     * YYYY-MM-DD
     *
     * Default: null
     */
    dateOfBirth: null | string;
    /**
     * F or M
     *
     * Default: null
     */
    sex: null | string;
}

export interface FieldEvidence {
    /**
     * record-number, curp, name, dateOfBirth, sex, ...
     */
    field: string;
    /**
     * 0..1, null when one side lacks the field
     *
     * Default: null
     */
    agreement: null | number;
    weight: number;
    detail: string;
}

/**
 * A patient of the index a document was compared with, and the agreement per field
 */
export interface MatchCandidate {
    patientId: string;
    score: number;
    evidence: FieldEvidence[];
}

/**
 * Fields of an event's data sealed under one subject's data key: the fields marked "sealed" in its schema, which the data carries blank (see infra/crypto/sealed-events.ts)
 */
export interface SealedPart {
    /**
     * The subject whose data key seals it: document:<id> or patient:<id>; the ciphertext's header names the same subject, the tenant and the key version
     */
    keyRef: string;
    /**
     * AES-256-GCM under the subject's data key (infra/crypto/envelope.ts): JSON [[path, value], ...] of the sealed fields
     */
    ciphertext: Buffer;
}

/**
 * What a hospital export's file name said: <record>_<SURNAMES, NAMES>_<episode>_<TYPE>.pdf
 */
export interface ExportName {
    recordNumber: string;
    patientName: string;
    episode: string;
    typeCode: string;
    /**
     * Our document type for the code, when the code is one we know
     *
     * Default: null
     */
    documentType: null | string;
}

/**
 * A client uploaded a document; its bytes are in the blob store under blobRef.
 */
export interface DocumentUploadedData {
    /**
     * As sent by the client; may name the patient
     */
    fileName: string;
    /**
     * Detected from the content, not the name
     */
    mediaType: string;
    sizeBytes: number;
    sha256: string;
    blobRef: string;
    /**
     * Default: null
     */
    externalPatientId: null | string;
    /**
     * Default: null
     */
    documentTypeHint: null | string;
    /**
     * The tenant's first document with the same bytes, when this one repeats it
     *
     * Default: null
     */
    duplicateOf: null | string;
    /**
     * What a hospital export's file name said, when it follows <record>_<SURNAMES, NAMES>_<episode>_<TYPE>
     *
     * Default: null
     */
    exportName: null | ExportName;
    /**
     * The batch upload this file arrived in, if any
     *
     * Default: null
     */
    batchId: null | string;
    /**
     * The archive or e-mail this document was taken out of, if any
     *
     * Default: null
     */
    parentDocumentId: null | string;
    /**
     * Where in its parent the document was: the entry's path in the archive (nested archives joined by /), or the attachment's name
     *
     * Default: null
     */
    entryPath: null | string;
}

/**
 * Someone asked for the processing chain to run again on the stored bytes: round `round` starts.
 */
export interface DocumentReprocessRequestedData {
    /**
     * 1 for the upload, then one more per reprocess request
     */
    round: number;
    /**
     * Default: null
     */
    reason: null | string;
    mediaType: string;
    blobRef: string;
    /**
     * Default: null
     */
    hint: null | DocumentTypeHint;
}

export interface PageInfo {
    page: number;
    width: number;
    height: number;
}

/**
 * The stored bytes passed the deep checks: they parse, within page and pixel limits.
 */
export interface DocumentValidatedData {
    /**
     * 1 for the upload, then one more per reprocess request
     */
    round: number;
    mediaType: string;
    blobRef: string;
    pageCount: number;
    /**
     * PDF pages in points, images in pixels
     */
    pages: PageInfo[];
    /**
     * Default: null
     */
    hint: null | DocumentTypeHint;
}

/**
 * The stored bytes failed a deep check; reason is a stable code a client can act on.
 */
export interface DocumentRejectedData {
    /**
     * 1 for the upload, then one more per reprocess request
     */
    round: number;
    /**
     * Stable code a client can act on, e.g. PDF_ENCRYPTED, TOO_MANY_PAGES
     */
    reason: string;
    message: string;
}

export interface ArchiveChild {
    entryPath: string;
    documentId: string;
}

export interface ArchiveEntryRejected {
    entryPath: string;
    /**
     * Stable code, e.g. ARCHIVE_ENTRY_PATH_UNSAFE, ARCHIVE_LIMIT_EXCEEDED, UNSUPPORTED_MEDIA_TYPE
     */
    reason: string;
    message: string;
}

/**
 * A zip archive or an e-mail was opened: its accepted entries became child documents (each with its own DocumentUploaded), the others are listed with why they were refused.
 */
export interface ArchiveExpandedData {
    /**
     * 1 for the upload, then one more per reprocess request
     */
    round: number;
    /**
     * The child documents, each uploaded with this document as its parent
     */
    accepted: ArchiveChild[];
    /**
     * Entries that became no document: nothing of them was stored
     */
    rejected: ArchiveEntryRejected[];
}

export type TextExtractedDataMethod = "text-layer" | "ocr" | "plain-text" | "mixed";

export type ExtractedPageMethod = "text-layer" | "ocr" | "plain-text";

export interface ExtractedPage {
    page: number;
    /**
     * text-layer, ocr or plain-text
     */
    method: ExtractedPageMethod;
    /**
     * 0..1: 1 for a text layer or plain text, tesseract's mean word confidence for OCR
     */
    confidence: number;
    charCount: number;
    /**
     * The page's text, or null when the whole text is in the blob store under textRef
     *
     * Default: null
     */
    text: null | string;
}

/**
 * The document's text, per page, with how it was read and how sure the reading is.
 */
export interface TextExtractedData {
    /**
     * 1 for the upload, then one more per reprocess request
     */
    round: number;
    /**
     * text-layer, ocr or plain-text, or mixed when some pages had a text layer and others were read by OCR
     */
    method: TextExtractedDataMethod;
    /**
     * ISO 639-3 (eng, spa) or und
     */
    language: string;
    confidence: number;
    charCount: number;
    pages: ExtractedPage[];
    /**
     * Blob holding { pages: [{ page, text }] } when the text was too large to carry inline
     *
     * Default: null
     */
    textRef: null | string;
    /**
     * Default: null
     */
    hint: null | DocumentTypeHint;
}

export type ClassificationEvidenceSource = "text" | "title" | "file-name" | "client";

export interface ClassificationEvidence {
    /**
     * text, title, file-name or client
     */
    source: ClassificationEvidenceSource;
    documentType: string;
    detail: string;
    weight: number;
}

export interface TypeScore {
    documentType: string;
    score: number;
}

/**
 * The document's type, how sure, and the evidence that decided it.
 */
export interface DocumentClassifiedData {
    /**
     * 1 for the upload, then one more per reprocess request
     */
    round: number;
    documentType: string;
    confidence: number;
    evidence: ClassificationEvidence[];
    /**
     * Every type that scored, best first
     */
    scores: TypeScore[];
}

export interface DeadLetterPosition {
    topic: string;
    partition: number;
    offset: string;
}

/**
 * A processor gave up on an event of this document and put it in its dead-letter topic.
 */
export interface DocumentProcessingFailedData {
    /**
     * Default: null
     */
    round: null | number;
    processor: string;
    reason: string;
    /**
     * Default: null
     */
    failedEventType: null | string;
    /**
     * Default: null
     */
    failedEventId: null | string;
    deadLetter: DeadLetterPosition;
}

export type EntitiesExtractedDataDateFormat = "DMY" | "MDY";

export interface IdentifierEntity {
    /**
     * record-number (expediente / hospital record), mrn or curp
     */
    kind: string;
    value: string;
    span: Span;
}

export interface NameEntity {
    /**
     * As printed, whitespace collapsed
     */
    value: string;
    /**
     * Split from givenNames when the text says which part is which (SURNAMES, NAMES, labelled fields)
     *
     * Default: null
     */
    surnames: null | string;
    /**
     * Default: null
     */
    givenNames: null | string;
    span: Span;
}

/**
 * A value read from the text, normalised, with where it was read
 */
export interface TextEntity {
    value: string;
    span: Span;
}

export type LabEntityFlag = "H" | "L";

export type LabEntityFlagSource = "printed" | "computed";

export interface LabEntity {
    test: string;
    value: number;
    /**
     * Default: null
     */
    unit: null | string;
    /**
     * As printed, e.g. 70-100, < 200
     *
     * Default: null
     */
    referenceRange: null | string;
    /**
     * Default: null
     */
    referenceLow: null | number;
    /**
     * Default: null
     */
    referenceHigh: null | number;
    /**
     * H or L
     *
     * Default: null
     */
    flag: null | LabEntityFlag;
    /**
     * printed (H/L, ALTO/BAJO next to the value) or computed from the range
     *
     * Default: null
     */
    flagSource: null | LabEntityFlagSource;
    span: Span;
}

export interface MedicationEntity {
    name: string;
    /**
     * Default: null
     */
    strength: null | string;
    /**
     * Default: null
     */
    route: null | string;
    /**
     * As printed, e.g. cada 12 horas, BID, twice daily
     *
     * Default: null
     */
    frequency: null | string;
    /**
     * The frequency as doses per day, when it says
     *
     * Default: null
     */
    timesPerDay: null | number;
    span: Span;
}

export interface DiagnosisEntity {
    text: string;
    /**
     * Default: null
     */
    icd10: null | string;
    span: Span;
}

export interface VitalEntity {
    /**
     * bp, hr, temp, spo2 or weight
     */
    kind: string;
    /**
     * As normalised, e.g. 120/80, 36.8
     */
    value: string;
    /**
     * Default: null
     */
    unit: null | string;
    span: Span;
}

/**
 * Medical entities read from the text, each with its page, character span and confidence.
 */
export interface EntitiesExtractedData {
    /**
     * 1 for the upload, then one more per reprocess request
     */
    round: number;
    /**
     * How this document prints dates: DMY (Mexico) or MDY (US)
     */
    dateFormat: EntitiesExtractedDataDateFormat;
    /**
     * why the date format was decided so
     */
    dateFormatBasis: string;
    identifiers: IdentifierEntity[];
    /**
     * Default: null
     */
    patientName: null | NameEntity;
    /**
     * YYYY-MM-DD
     *
     * Default: null
     */
    dateOfBirth: null | TextEntity;
    /**
     * F or M
     *
     * Default: null
     */
    sex: null | TextEntity;
    /**
     * Default: null
     */
    encounterDate: null | TextEntity;
    /**
     * Default: null
     */
    collectionDate: null | TextEntity;
    /**
     * Default: null
     */
    provider: null | TextEntity;
    /**
     * Default: null
     */
    facility: null | TextEntity;
    labs: LabEntity[];
    medications: MedicationEntity[];
    diagnoses: DiagnosisEntity[];
    vitals: VitalEntity[];
}

export interface QualityReason {
    /**
     * Stable code, e.g. LOW_OCR_CONFIDENCE, MISSING_IDENTIFIER, UNREADABLE_PAGE
     */
    code: string;
    detail: string;
    /**
     * How much it took off the score
     */
    penalty: number;
}

/**
 * How usable the document is for matching and care, and why.
 */
export interface QualityAssessedData {
    /**
     * 1 for the upload, then one more per reprocess request
     */
    round: number;
    /**
     * 0..1
     */
    score: number;
    reasons: QualityReason[];
}

/**
 * The document was assigned to a patient of the index.
 */
export interface PatientMatchedData {
    /**
     * 1 for the upload, then one more per reprocess request
     */
    round: number;
    patientId: string;
    score: number;
    /**
     * identifier (exact record number within a facility, or national id) or probabilistic
     */
    method: string;
    /**
     * best first
     */
    candidates: MatchCandidate[];
}

/**
 * Matching was unsure: a person must decide.
 */
export interface PatientMatchReviewRequiredData {
    /**
     * 1 for the upload, then one more per reprocess request
     */
    round: number;
    reviewId: string;
    score: number;
    subject: PatientSubject;
    /**
     * best first
     */
    candidates: MatchCandidate[];
}

/**
 * A reviewer decided a match that was unsure.
 */
export interface ReviewResolvedData {
    /**
     * 1 for the upload, then one more per reprocess request
     */
    round: number;
    reviewId: string;
    /**
     * assigned to a candidate, registered as a new patient, or rejected
     */
    resolution: string;
    /**
     * Default: null
     */
    patientId: null | string;
    /**
     * Default: null
     */
    note: null | string;
}

/**
 * Someone deleted a document: it leaves listings, search and reads, and may be restored until the tenant's trash delay has passed, after which retention erases it.
 */
export interface DocumentTrashedData {
    /**
     * Who deleted it: key:<id> or user:<sub>
     */
    principal: string;
    /**
     * Default: null
     */
    reason: null | string;
}

/**
 * A deleted document was taken back out of the trash before retention erased it: it is listed, found and read again as before.
 */
export interface DocumentRestoredData {
    /**
     * Who restored it: key:<id> or user:<sub>
     */
    principal: string;
    /**
     * The DocumentTrashed this undoes
     */
    trashedEventId: string;
}

/**
 * A document was erased: its data keys were destroyed and its blobs deleted, so its file, text and entities can no longer be read, and read models drop what they derived. Carries ids, who and why only, never patient data.
 */
export interface DocumentErasedData {
    /**
     * Who erased: key:<id>, user:<sub>, or the retention reactor
     */
    principal: string;
    reason: string;
    /**
     * Set when the document was erased as part of its patient's erasure
     *
     * Default: null
     */
    patientId: null | string;
    /**
     * The key subjects whose data keys were destroyed: document:<id>
     */
    destroyedSubjects: string[];
}

/**
 * A person new to the patient index, keyed by the patient; documentId names the document that led to it.
 */
export interface PatientRegisteredData {
    /**
     * Default: null
     */
    documentId: null | string;
    /**
     * Default: null
     */
    round: null | number;
    /**
     * Best score against the index when the document was matched, if it was
     *
     * Default: null
     */
    score: null | number;
    subject: PatientSubject;
    /**
     * best first
     */
    candidates: MatchCandidate[];
    /**
     * match (nobody close enough) or review (a reviewer said so)
     */
    reason: string;
}

/**
 * A document matched to this patient (by the matcher or a reviewer) named it in ways the index did not know yet: another record number, a CURP. Later documents that carry those identifiers match it exactly.
 */
export interface PatientRecordLinkedData {
    documentId: string;
    round: number;
    /**
     * who the document says its patient is
     */
    subject: PatientSubject;
}

/**
 * Two patients were one person: mergedId lives on as the patient this event is keyed by.
 */
export interface PatientsMergedData {
    mergedId: string;
    /**
     * Default: null
     */
    reason: null | string;
}

/**
 * A patient was erased: the data keys of its subjects were destroyed, so what they sealed in the log and the blob store can no longer be read, and read models drop what they derived. Carries ids, who and why only, never patient data.
 */
export interface PatientErasedData {
    /**
     * Who erased: key:<id>, user:<sub>, or the retention reactor
     */
    principal: string;
    reason: string;
    /**
     * Patients that had been merged into this one, erased with it
     */
    mergedIds: string[];
    /**
     * The documents linked to the patient, each erased with a DocumentErased of its own
     */
    documentIds: string[];
    /**
     * The key subjects whose data keys were destroyed: patient:<id>, document:<id>
     */
    destroyedSubjects: string[];
}

/**
 * A bulk upload began.
 */
export interface BatchOpenedData {
    /**
     * Default: null
     */
    name: null | string;
}

/**
 * No more files will be added to the batch.
 */
export interface BatchClosedData {
    fileCount: number;
}

/**
 * Every file of a closed batch reached a terminal state.
 */
export interface BatchCompletedData {
    fileCount: number;
    processed: number;
    failed: number;
    matched: number;
    created: number;
    inReview: number;
}

/**
 * Someone read patient data through the API, keyed by the tenant. Names what was read by id only, never the data itself.
 */
export interface PatientDataReadData {
    /**
     * The route pattern, e.g. /patients/:id
     */
    route: string;
    method: string;
    /**
     * The actor of the principal that read, e.g. key:<id> or user:<sub>
     */
    principal: string;
    /**
     * The documents the response contained
     */
    documentIds: string[];
    /**
     * The patients the response contained
     */
    patientIds: string[];
    /**
     * Rows the response contained: 1 for a single resource, 0 when it was refused
     */
    resultCount: number;
    /**
     * The HTTP status of the response
     */
    status: number;
}

/**
 * An admin changed the tenant's retention policy, on the audit log, keyed by the tenant: the policy as it stands after the change. A null limit is none.
 */
export interface RetentionPolicyChangedData {
    /**
     * Who changed it: key:<id> or user:<sub>
     */
    principal: string;
    /**
     * Documents uploaded longer ago than this are erased
     *
     * Default: null
     */
    documentsMaxAgeDays: null | number;
    /**
     * Rejected uploads are erased this long after their rejection
     *
     * Default: null
     */
    rejectedMaxAgeDays: null | number;
    /**
     * How long a deleted document stays restorable; null: the service's default
     *
     * Default: null
     */
    trashDelayHours: null | number;
}

/**
 * A signed link of the digest chain of one partition of one topic: the SHA-256 chained over the previous digest and the framed bytes of every committed record in the range, signed with Ed25519. Keyed by <topic>:<partition>. See docs/tamper-evidence.md.
 */
export interface LogDigestData {
    /**
     * The topic whose records the range holds
     */
    topic: string;
    partition: number;
    /**
     * The offset of the range's first record
     */
    firstOffset: number;
    /**
     * The offset of the range's last record; the next range starts after it
     */
    lastOffset: number;
    /**
     * Committed records in the range; offsets between them may be transaction markers or aborted records, which are not part of the chain
     */
    recordCount: number;
    /**
     * The canonical framing of a record, e.g. docstream-log-frame/1
     */
    framing: string;
    /**
     * The digest of the partition's previous range; 32 zero bytes for its first
     */
    previousDigest: Buffer;
    /**
     * SHA-256 over previousDigest and every record's frame, in offset order
     */
    digest: Buffer;
    /**
     * SHA-256 of each record's frame, 32 bytes each in offset order: says which record differs
     */
    recordHashes: Buffer;
    /**
     * The first 16 hex digits of the SHA-256 of the signing key's raw public key
     */
    keyId: string;
    /**
     * Ed25519 over the digest's signed fields
     */
    signature: Buffer;
}
