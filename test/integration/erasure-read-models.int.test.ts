import { randomUUID } from 'node:crypto';
import { describe, it } from 'vitest';
import type { DocumentUploaded } from '../../schemas/events.ts';
import {
  chainOf,
  documentEvent,
  documentUploaded,
  labEntity,
  matchingOf,
  patientRegistered,
  patientsMerged,
} from '../support/events.ts';
import { readModelDatabase } from '../support/projection-spec.ts';

const ADMIN = 'key:0123456789abcdef';
const REASON = 'the patient asked to be forgotten';

function documentErased(upload: DocumentUploaded, patientId: string | null = null) {
  const { tenantId, aggregateId } = upload.metadata;
  return documentEvent(
    'DocumentErased',
    { principal: ADMIN, reason: REASON, patientId, destroyedSubjects: [`document:${aggregateId}`] },
    { tenantId, aggregateId, actor: ADMIN },
  );
}

function patientErased(patientId: string, mergedIds: string[], documentIds: string[]) {
  return documentEvent(
    'PatientErased',
    {
      principal: ADMIN,
      reason: REASON,
      mergedIds,
      documentIds,
      destroyedSubjects: [patientId, ...mergedIds].map((id) => `patient:${id}`),
    },
    { aggregateId: patientId, actor: ADMIN },
  );
}

/** Every row any read model keeps of the document, by table. */
const DOCUMENT_ROWS = `
  SELECT 'documents' AS t, count(*)::int AS n FROM documents WHERE document_id = $1
  UNION ALL SELECT 'document_pages', count(*)::int FROM document_pages WHERE document_id = $1
  UNION ALL SELECT 'document_entities', count(*)::int FROM document_entities WHERE document_id = $1
  UNION ALL SELECT 'document_labs', count(*)::int FROM document_labs WHERE document_id = $1
  UNION ALL SELECT 'reviews', count(*)::int FROM reviews WHERE document_id = $1
  UNION ALL SELECT 'patient_timeline', count(*)::int FROM patient_timeline WHERE related_id = $1
  ORDER BY t`;
const NONE = [
  'document_entities',
  'document_labs',
  'document_pages',
  'documents',
  'patient_timeline',
  'reviews',
].map((t) => ({ t, n: 0 }));

describe('read models after an erasure', () => {
  const db = readModelDatabase(
    'documents, document_timeline, document_pages, patients, patient_timeline, reviews, document_entities, document_labs, document_medications, document_diagnoses, document_vitals, document_identifiers, batches, batch_files, audit',
  );
  const spec = db.spec;

  /** A document read through the chain, with text, entities, a review and its patient. */
  function processed(patientId: string) {
    const upload = documentUploaded({ data: { batchId: randomUUID() } });
    const chain = chainOf(upload);
    const matching = matchingOf(upload);
    return {
      upload,
      events: [
        upload,
        chain.validated(),
        chain.textExtracted(['PEREZ LOPEZ, ANA 4471 hemoglobina 5.4']),
        matching.entitiesExtracted({ labs: [labEntity('Hemoglobina glucosada', 5.4)] }),
        matching.reviewRequired('review-1', [{ patientId, score: 0.8, evidence: [] }]),
        matching.reviewResolved('review-1', 'assigned', patientId),
      ],
    };
  }

  it('drops every row a document derived; only its erasure stays on its timeline', async () => {
    const { upload, events } = processed('patient-1');
    const id = upload.metadata.aggregateId;
    await spec()
      .given(...events)
      .when(documentErased(upload))
      .thenRows(DOCUMENT_ROWS, [id], NONE);
    await spec()
      .given()
      .when()
      .thenRows(
        'SELECT event_type, actor FROM document_timeline WHERE document_id = $1',
        [id],
        [{ event_type: 'DocumentErased', actor: ADMIN }],
      );
  });

  it('finds nothing of an erased document in search', async () => {
    const { upload, events } = processed('patient-1');
    await spec()
      .given(...events)
      .when(documentErased(upload))
      .thenRows(
        `SELECT document_id FROM document_pages
         WHERE to_tsvector('simple', text) @@ plainto_tsquery('simple', 'hemoglobina')`,
        [],
        [],
      );
  });

  it('keeps a batch counting an erased file, without its name', async () => {
    const { upload, events } = processed('patient-1');
    await spec()
      .given(...events)
      .when(documentErased(upload))
      .thenRows(
        'SELECT file_name FROM batch_files WHERE document_id = $1',
        [upload.metadata.aggregateId],
        [{ file_name: '' }],
      );
  });

  it('drops the patient and those merged into it, and their timeline', async () => {
    const survivor = randomUUID();
    const merged = randomUUID();
    await spec()
      .given(
        patientRegistered(survivor),
        patientRegistered(merged),
        patientsMerged(survivor, merged),
      )
      .when(patientErased(survivor, [merged], []))
      .thenRows(
        `SELECT (SELECT count(*)::int FROM patients WHERE patient_id = ANY($1)) AS patients,
           (SELECT count(*)::int FROM patient_timeline WHERE patient_id = ANY($1)) AS timeline`,
        [[survivor, merged]],
        [{ patients: 0, timeline: 0 }],
      );
  });

  it("no longer offers an erased patient as a candidate in another document's review", async () => {
    const erased = randomUUID();
    const kept = randomUUID();
    const upload = documentUploaded();
    await spec()
      .given(
        upload,
        matchingOf(upload).reviewRequired('review-2', [
          { patientId: erased, score: 0.8, evidence: [] },
          { patientId: kept, score: 0.7, evidence: [] },
        ]),
      )
      .when(patientErased(erased, [], []))
      .thenRows(
        `SELECT jsonb_path_query_array(candidates, '$[*].patientId') AS ids FROM reviews
         WHERE review_id = 'review-2'`,
        [],
        [{ ids: [kept] }],
      );
  });

  it('keeps in the audit trail who erased which ids and why', async () => {
    const patientId = randomUUID();
    const documentId = randomUUID();
    const erasure = patientErased(patientId, [], [documentId]);
    await spec()
      .given(patientRegistered(patientId))
      .when(erasure)
      .thenRows(
        `SELECT principal, route, method, patient_ids, document_ids, reason FROM audit
         WHERE event_id = $1`,
        [erasure.metadata.eventId],
        [
          {
            principal: ADMIN,
            route: '/patients/:id/erase',
            method: 'POST',
            patient_ids: [patientId],
            document_ids: [documentId],
            reason: REASON,
          },
        ],
      );
  });

  it('leaves the erased state when the log is folded again from the start', async () => {
    const { upload, events } = processed('patient-1');
    const erasure = documentErased(upload);
    await spec()
      .given(...events, erasure)
      .when(...events.slice(1), erasure)
      .thenRows(DOCUMENT_ROWS, [upload.metadata.aggregateId], NONE);
  });
});
