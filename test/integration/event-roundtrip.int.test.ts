import { randomUUID } from 'node:crypto';
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFieldSealer } from '../../infra/crypto/sealing-codec.ts';
import { topicNames } from '../../infra/kafka/topics.ts';
import { EVENT_TYPES, eventSchema } from '../../schemas/catalog.ts';
import {
  createEventCodec,
  createSchemaRegistry,
  type EventCodec,
  registerEventSchemas,
} from '../../schemas/codec.ts';
import type {
  DocumentTypeHint,
  DomainEvent,
  EventOfType,
  EventType,
  MatchCandidate,
} from '../../schemas/events.ts';
import { createTestEnvironment, type TestEnvironment } from '../support/environment.ts';
import {
  documentEvent,
  documentUploaded,
  labEntity,
  patientSubject,
  spanAt,
} from '../support/events.ts';
import { memoryEncryption } from '../support/memory-keys.ts';

const caused = () => ({ causationId: randomUUID() });
const blobRef = `sha256:${'b'.repeat(64)}`;
const hint: DocumentTypeHint = { documentType: 'lab-result', source: 'file-name' };
const candidate: MatchCandidate = {
  patientId: randomUUID(),
  score: 0.91,
  evidence: [{ field: 'record-number', agreement: 1, weight: 4.5, detail: '4471 = 4471' }],
};

/** One event of each type, with every nullable field set and every array holding an item. */
const EXAMPLES: { [T in EventType]: EventOfType<T> } = {
  DocumentUploaded: documentUploaded({
    metadata: caused(),
    // past 2^32: a long, not an int
    data: {
      sizeBytes: 5_000_000_123,
      duplicateOf: randomUUID(),
      batchId: randomUUID(),
      parentDocumentId: randomUUID(),
      entryPath: 'scans/lab.pdf',
    },
  }),
  DocumentReprocessRequested: documentEvent(
    'DocumentReprocessRequested',
    { round: 2, reason: 'new OCR model', mediaType: 'application/pdf', blobRef, hint },
    caused(),
  ),
  ArchiveExpanded: documentEvent(
    'ArchiveExpanded',
    {
      round: 1,
      accepted: [{ entryPath: 'scans/lab.pdf', documentId: randomUUID() }],
      rejected: [
        { entryPath: '../etc/passwd', reason: 'ARCHIVE_ENTRY_PATH_UNSAFE', message: 'unsafe' },
      ],
    },
    caused(),
  ),
  DocumentValidated: documentEvent(
    'DocumentValidated',
    {
      round: 1,
      mediaType: 'application/pdf',
      blobRef,
      pageCount: 2,
      pages: [
        { page: 1, width: 612, height: 792 },
        { page: 2, width: 595, height: 842 },
      ],
      hint,
    },
    caused(),
  ),
  DocumentRejected: documentEvent(
    'DocumentRejected',
    { round: 1, reason: 'PDF_ENCRYPTED', message: 'the PDF asks for a password' },
    caused(),
  ),
  TextExtracted: documentEvent(
    'TextExtracted',
    {
      round: 1,
      method: 'mixed',
      language: 'spa',
      confidence: 0.87,
      charCount: 41,
      pages: [
        {
          page: 1,
          method: 'text-layer',
          confidence: 1,
          charCount: 19,
          text: 'GLUCOSA 131 mg/dL H',
        },
        { page: 2, method: 'ocr', confidence: 0.74, charCount: 22, text: 'Dra. Núñez, Médica Sur' },
      ],
      textRef: `sha256:${'c'.repeat(64)}`,
      hint,
    },
    caused(),
  ),
  DocumentClassified: documentEvent(
    'DocumentClassified',
    {
      round: 1,
      documentType: 'lab-result',
      confidence: 0.93,
      evidence: [
        {
          source: 'title',
          documentType: 'lab-result',
          detail: 'RESULTADOS DE LABORATORIO',
          weight: 3,
        },
      ],
      scores: [
        { documentType: 'lab-result', score: 7.5 },
        { documentType: 'invoice', score: 0.5 },
      ],
    },
    caused(),
  ),
  DocumentProcessingFailed: documentEvent(
    'DocumentProcessingFailed',
    {
      round: 3,
      processor: 'extract-text',
      reason: 'Error: tesseract exited with 134',
      failedEventType: 'DocumentValidated',
      failedEventId: randomUUID(),
      deadLetter: { topic: 'docstream.dlq.extract-text', partition: 2, offset: '9007199254740993' },
    },
    caused(),
  ),
  EntitiesExtracted: documentEvent(
    'EntitiesExtracted',
    {
      round: 1,
      dateFormat: 'DMY',
      dateFormatBasis: 'a day above 12 comes first',
      identifiers: [{ kind: 'record-number', value: '4471', span: spanAt(20) }],
      patientName: {
        value: 'PEREZ LOPEZ, ANA',
        surnames: 'PEREZ LOPEZ',
        givenNames: 'ANA',
        span: spanAt(40),
      },
      dateOfBirth: { value: '1980-05-17', span: spanAt(60) },
      sex: { value: 'F', span: spanAt(80) },
      encounterDate: { value: '2026-11-20', span: spanAt(100) },
      collectionDate: { value: '2026-11-19', span: spanAt(120) },
      provider: { value: 'Dra. Núñez', span: spanAt(140) },
      facility: { value: 'Hospital Central', span: spanAt(160, 2) },
      labs: [labEntity('Glucosa', 131.5, { flag: 'H', flagSource: 'printed' })],
      medications: [
        {
          name: 'Metformina',
          strength: '850 mg',
          route: 'oral',
          frequency: 'cada 12 horas',
          timesPerDay: 2,
          span: spanAt(200),
        },
      ],
      diagnoses: [{ text: 'Diabetes mellitus tipo 2', icd10: 'E11.9', span: spanAt(220) }],
      vitals: [{ kind: 'bp', value: '120/80', unit: 'mmHg', span: spanAt(240) }],
    },
    caused(),
  ),
  QualityAssessed: documentEvent(
    'QualityAssessed',
    {
      round: 1,
      score: 0.82,
      reasons: [{ code: 'LOW_OCR_CONFIDENCE', detail: 'page 2 at 0.74', penalty: 0.18 }],
    },
    caused(),
  ),
  PatientMatched: documentEvent(
    'PatientMatched',
    {
      round: 1,
      patientId: candidate.patientId,
      score: 0.97,
      method: 'identifier',
      candidates: [candidate],
    },
    caused(),
  ),
  PatientMatchReviewRequired: documentEvent(
    'PatientMatchReviewRequired',
    {
      round: 1,
      reviewId: randomUUID(),
      score: 0.72,
      subject: patientSubject(),
      candidates: [candidate],
    },
    caused(),
  ),
  ReviewResolved: documentEvent(
    'ReviewResolved',
    {
      round: 1,
      reviewId: randomUUID(),
      resolution: 'assigned',
      patientId: candidate.patientId,
      note: 'same record number, name misspelt',
    },
    caused(),
  ),
  DocumentTrashed: documentEvent(
    'DocumentTrashed',
    { principal: 'key:0123456789abcdef', reason: 'uploaded to the wrong clinic' },
    caused(),
  ),
  DocumentRestored: documentEvent(
    'DocumentRestored',
    { principal: 'key:0123456789abcdef', trashedEventId: randomUUID() },
    caused(),
  ),
  PatientRegistered: documentEvent(
    'PatientRegistered',
    {
      documentId: randomUUID(),
      round: 1,
      score: 0.41,
      subject: patientSubject(),
      candidates: [candidate],
      reason: 'match',
    },
    caused(),
  ),
  PatientRecordLinked: documentEvent(
    'PatientRecordLinked',
    {
      documentId: randomUUID(),
      round: 2,
      subject: patientSubject({ identifiers: [{ kind: 'curp', value: 'PELA800517MDFRPN09' }] }),
    },
    caused(),
  ),
  PatientsMerged: documentEvent(
    'PatientsMerged',
    { mergedId: randomUUID(), reason: 'same person' },
    caused(),
  ),
  PatientErased: documentEvent(
    'PatientErased',
    {
      principal: 'key:0123456789abcdef',
      reason: 'the patient asked to be forgotten',
      mergedIds: [randomUUID()],
      documentIds: [randomUUID()],
      destroyedSubjects: ['patient:p-1', 'document:d-1'],
    },
    caused(),
  ),
  DocumentErased: documentEvent(
    'DocumentErased',
    {
      principal: 'key:0123456789abcdef',
      reason: 'the patient asked to be forgotten',
      patientId: randomUUID(),
      destroyedSubjects: ['document:d-1'],
    },
    caused(),
  ),
  BatchOpened: documentEvent('BatchOpened', { name: 'November intake' }, caused()),
  BatchClosed: documentEvent('BatchClosed', { fileCount: 12 }, caused()),
  BatchCompleted: documentEvent(
    'BatchCompleted',
    { fileCount: 12, processed: 11, failed: 1, matched: 8, created: 2, inReview: 1 },
    caused(),
  ),
  PatientDataRead: documentEvent(
    'PatientDataRead',
    {
      route: '/patients/:id',
      method: 'GET',
      principal: 'key:0123456789abcdef',
      documentIds: [randomUUID()],
      patientIds: [randomUUID()],
      resultCount: 1,
      status: 200,
    },
    caused(),
  ),
  RetentionPolicyChanged: documentEvent(
    'RetentionPolicyChanged',
    {
      principal: 'key:0123456789abcdef',
      documentsMaxAgeDays: 2555,
      rejectedMaxAgeDays: 30.5,
      trashDelayHours: 48,
    },
    caused(),
  ),
  LogDigest: documentEvent(
    'LogDigest',
    {
      topic: 'docstream.document.events',
      partition: 2,
      // past 2^32: a long, not an int
      firstOffset: 5_000_000_123,
      lastOffset: 5_000_000_125,
      recordCount: 2,
      framing: 'docstream-log-frame/1',
      previousDigest: Buffer.alloc(32, 1),
      digest: Buffer.alloc(32, 2),
      recordHashes: Buffer.alloc(64, 3),
      keyId: '0123456789abcdef',
      signature: Buffer.alloc(64, 4),
    },
    caused(),
  ),
};

/** Paths of the record `value` that hold null, or an empty array: what the example leaves out. */
function unsetPaths(type: avro.Type, value: unknown, path: string): string[] {
  if (value === null || value === undefined) return [path];
  if (type instanceof avro.types.UnwrappedUnionType) {
    const branch = type.types.find((t) => t.typeName !== 'null' && t.isValid(value));
    return branch ? unsetPaths(branch, value, path) : [path];
  }
  if (type instanceof avro.types.ArrayType) {
    const items = value as unknown[];
    if (items.length === 0) return [`${path}[]`];
    return items.flatMap((item, i) => unsetPaths(type.itemsType, item, `${path}[${i}]`));
  }
  if (type instanceof avro.types.RecordType) {
    const record = value as Record<string, unknown>;
    return type.fields.flatMap((f) => unsetPaths(f.type, record[f.name], `${path}.${f.name}`));
  }
  return [];
}

/** The event as an Avro record; one with sealed fields also gets a sealed part to carry them. */
const asRecord = ({ type, metadata, data }: DomainEvent) => ({
  envelope: { ...metadata, type },
  data,
  ...(eventSchema(type).fields.some((f) => f.name === 'sealed')
    ? { sealed: [{ keyRef: `document:${metadata.aggregateId}`, ciphertext: Buffer.alloc(64) }] }
    : {}),
});

describe('every event type through the schema registry codec', () => {
  let env: TestEnvironment;
  let writer: EventCodec;
  let reader: EventCodec;

  beforeAll(async () => {
    env = await createTestEnvironment();
    const { url, auth } = env.config.registry;
    const registry = createSchemaRegistry(url, auth);
    const ids = await registerEventSchemas(registry, topicNames(env.config.topics.prefix));
    // Patient data sealed on the way, as the system writes it.
    const sealer = createFieldSealer(memoryEncryption());
    writer = createEventCodec(registry, ids, sealer);
    // A client of its own, so the writer schemas come back from the registry, not a cache.
    reader = createEventCodec(createSchemaRegistry(url, auth), ids, sealer);
  });

  afterAll(() => env?.cleanup());

  it.each(EVENT_TYPES)('%s: the example sets every field of the schema', (type) => {
    const example = EXAMPLES[type];
    expect(example, `no example of ${type}`).toBeDefined();
    const schema = avro.Type.forSchema(eventSchema(type) as never);
    expect(schema.isValid(asRecord(example))).toBe(true);
    expect(unsetPaths(schema, asRecord(example), type)).toEqual([]);
  });

  it.each(EVENT_TYPES)('%s: encodes and decodes to an equal event', async (type) => {
    const example = EXAMPLES[type];
    expect(example, `no example of ${type}`).toBeDefined();
    const decoded = await reader.decode(await writer.encode(example));
    expect(decoded).toEqual(example);
  });
});
