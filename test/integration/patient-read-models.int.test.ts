import { describe, expect, it } from 'vitest';
import { patientLabs } from '../../projections/entities/queries.ts';
import { findPatient, listPatients, patientDocuments } from '../../projections/patients/queries.ts';
import { listReviews } from '../../projections/reviews/queries.ts';
import {
  chainOf,
  documentEvent,
  documentUploaded,
  labEntity,
  matchingOf,
  patientRegistered,
  patientSubject,
  patientsMerged,
} from '../support/events.ts';
import { readModelDatabase } from '../support/projection-spec.ts';

const MATCH = `SELECT patient_id, match_status, match_score, match_method, review_id, quality_score
  FROM documents WHERE document_id = $1`;
const MERGED_INTO = `SELECT patient_id, merged_into FROM patients WHERE tenant_id = 'tenant-a'
  ORDER BY patient_id`;

describe('patient, entity and review read models', () => {
  const db = readModelDatabase(
    'documents, document_timeline, document_pages, patients, reviews, document_entities, document_labs, document_medications, document_diagnoses, document_vitals, document_identifiers',
  );
  const spec = db.spec;

  describe('documents', () => {
    it('records the quality and the patient a document was matched to', async () => {
      const upload = documentUploaded();
      const matching = matchingOf(upload);
      await spec()
        .given(upload, matching.qualityAssessed(0.8))
        .when(matching.patientMatched('patient-1', { score: 0.97, method: 'identifier' }))
        .thenRows(
          MATCH,
          [upload.metadata.aggregateId],
          [
            {
              patient_id: 'patient-1',
              match_status: 'matched',
              match_score: 0.97,
              match_method: 'identifier',
              review_id: null,
              quality_score: 0.8,
            },
          ],
        );
    });

    it('says `registered` when the matcher registered a new patient for the document', async () => {
      const upload = documentUploaded();
      await spec()
        .given(upload)
        .when(
          matchingOf(upload).patientMatched('patient-new', { method: 'registered', score: 0.3 }),
        )
        .thenRowsMatch(MATCH, [upload.metadata.aggregateId], [{ match_status: 'registered' }]);
    });

    it('follows a review to the patient a reviewer assigned', async () => {
      const upload = documentUploaded();
      const matching = matchingOf(upload);
      await spec()
        .given(upload, matching.reviewRequired('review-1', [], { score: 0.7 }))
        .when(matching.reviewResolved('review-1', 'assigned', 'patient-2'))
        .thenRows(
          MATCH,
          [upload.metadata.aggregateId],
          [
            {
              patient_id: 'patient-2',
              match_status: 'matched',
              match_score: 0.7,
              match_method: 'review',
              review_id: 'review-1',
              quality_score: null,
            },
          ],
        );
    });

    it('shows an open review, and a rejection without a patient', async () => {
      const open = documentUploaded();
      const rejected = documentUploaded();
      await spec()
        .given(open, rejected, matchingOf(rejected).reviewRequired('review-r', []))
        .when(
          matchingOf(open).reviewRequired('review-o', []),
          matchingOf(rejected).reviewResolved('review-r', 'rejected', null),
        )
        .thenRowsMatch(
          'SELECT document_id, patient_id, match_status FROM documents ORDER BY match_status',
          [],
          [
            {
              document_id: rejected.metadata.aggregateId,
              patient_id: null,
              match_status: 'rejected',
            },
            { document_id: open.metadata.aggregateId, patient_id: null, match_status: 'review' },
          ],
        );
    });

    it("clears the decision on reprocess and ignores the old round's late decisions", async () => {
      const upload = documentUploaded();
      const matching = matchingOf(upload);
      await spec()
        .given(upload, matching.patientMatched('patient-1'), chainOf(upload).reprocessRequested(2))
        .when(
          matching.qualityAssessed(0.5),
          matching.reviewRequired('review-old', []),
          matching.patientMatched('patient-old'),
        )
        .thenRows(
          MATCH,
          [upload.metadata.aggregateId],
          [
            {
              patient_id: null,
              match_status: null,
              match_score: null,
              match_method: null,
              review_id: null,
              quality_score: null,
            },
          ],
        );
    });
  });

  describe('patients', () => {
    it('registers a patient from its subject', async () => {
      await spec()
        .given()
        .when(
          patientRegistered('patient-1', {
            documentId: 'doc-1',
            subject: patientSubject({ dateOfBirth: '1980-05-17' }),
          }),
        )
        .thenRows(
          `SELECT patient_id, facility, name, surnames, given_names, name_key,
             to_char(date_of_birth, 'YYYY-MM-DD') AS dob, sex, identifiers, reason,
             registered_by_document, merged_into FROM patients`,
          [],
          [
            {
              patient_id: 'patient-1',
              facility: 'Hospital Central',
              name: 'ANA PEREZ LOPEZ',
              surnames: 'PEREZ LOPEZ',
              given_names: 'ANA',
              name_key: 'ana perez lopez perez lopez ana',
              dob: '1980-05-17',
              sex: 'F',
              identifiers: [{ kind: 'record-number', value: '4471', facility: 'Hospital Central' }],
              reason: 'match',
              registered_by_document: 'doc-1',
              merged_into: null,
            },
          ],
        );
    });

    it('adds the identifiers a linked record names, each once', async () => {
      const elsewhere = patientSubject({
        facility: 'Clínica del Valle',
        identifiers: [
          { kind: 'record-number', value: '98120' },
          { kind: 'curp', value: 'PELA800517MDFRPN09' },
        ],
      });
      const link = documentEvent(
        'PatientRecordLinked',
        { documentId: 'doc-2', round: 1, subject: elsewhere },
        { aggregateId: 'patient-1', actor: 'match-patient@1.0.0' },
      );
      await spec()
        .given(patientRegistered('patient-1'))
        .when(link, link)
        .thenRows(
          `SELECT i.value, i.facility FROM patients, jsonb_to_recordset(identifiers)
             AS i(kind text, value text, facility text) ORDER BY i.value`,
          [],
          [
            { value: '4471', facility: 'Hospital Central' },
            { value: '98120', facility: 'Clínica del Valle' },
            { value: 'PELA800517MDFRPN09', facility: 'Clínica del Valle' },
          ],
        );
    });

    it('keeps a date of birth that is no calendar date out of the date column', async () => {
      await spec()
        .given()
        .when(patientRegistered('p', { subject: patientSubject({ dateOfBirth: '1980-02-31' }) }))
        .thenRows('SELECT date_of_birth FROM patients', [], [{ date_of_birth: null }]);
    });

    it('flattens a chain A <- B <- C merged in order', async () => {
      await spec()
        .given(patientRegistered('A'), patientRegistered('B'), patientRegistered('C'))
        .when(patientsMerged('B', 'C'), patientsMerged('A', 'B'))
        .thenRows(
          MERGED_INTO,
          [],
          [
            { patient_id: 'A', merged_into: null },
            { patient_id: 'B', merged_into: 'A' },
            { patient_id: 'C', merged_into: 'A' },
          ],
        );
    });

    it('flattens the same chain folded in the other order, as another partition may', async () => {
      await spec()
        .given(patientRegistered('A'), patientRegistered('B'), patientRegistered('C'))
        .when(patientsMerged('A', 'B'), patientsMerged('B', 'C'))
        .thenRows(
          MERGED_INTO,
          [],
          [
            { patient_id: 'A', merged_into: null },
            { patient_id: 'B', merged_into: 'A' },
            { patient_id: 'C', merged_into: 'A' },
          ],
        );
    });

    it('keeps a merge folded before the merged patient was registered', async () => {
      await spec()
        .given(patientRegistered('A'), patientsMerged('A', 'B'))
        .when(patientRegistered('B', { subject: patientSubject({ name: 'B. PEREZ' }) }))
        .thenRowsMatch(
          MERGED_INTO,
          [],
          [{ patient_id: 'A' }, { patient_id: 'B', merged_into: 'A' }],
        );
      expect((await findPatient(db.pool, 'tenant-a', 'B'))?.name).toBe('ANA PEREZ LOPEZ');
    });

    it('applies a redelivered registration and merge once', async () => {
      const registered = patientRegistered('B', { subject: patientSubject({ name: 'FIRST' }) });
      const merged = patientsMerged('A', 'B');
      await spec()
        .given(patientRegistered('A'), registered, merged)
        .when(
          patientRegistered('B', { subject: patientSubject({ name: 'SECOND' }) }),
          registered,
          merged,
        )
        .thenRows(
          'SELECT patient_id, name, merged_into FROM patients ORDER BY patient_id',
          [],
          [
            { patient_id: 'A', name: 'ANA PEREZ LOPEZ', merged_into: null },
            { patient_id: 'B', name: 'FIRST', merged_into: 'A' },
          ],
        );
    });

    it('answers a merged patient with its survivor and lists only survivors', async () => {
      await spec()
        .given(
          patientRegistered('A', { subject: patientSubject({ name: 'José Núñez' }) }),
          patientRegistered('B'),
          patientRegistered('C', { subject: patientSubject({ name: 'Other Person' }) }),
        )
        .when(patientsMerged('A', 'B'))
        .thenRowsMatch('SELECT count(*)::int AS n FROM patients', [], [{ n: 3 }]);
      expect(await findPatient(db.pool, 'tenant-a', 'B')).toMatchObject({
        id: 'A',
        mergedInto: 'A',
        mergedIds: ['B'],
      });
      expect(await findPatient(db.pool, 'tenant-a', 'A')).toMatchObject({
        id: 'A',
        mergedInto: null,
        mergedIds: ['B'],
      });
      expect(await findPatient(db.pool, 'tenant-b', 'A')).toBeNull();
      const all = await listPatients(db.pool, 'tenant-a', {}, { limit: 10 });
      expect(all.items.map((p) => p.id).sort()).toEqual(['A', 'C']);
      const named = await listPatients(db.pool, 'tenant-a', { q: 'jose nunez' }, { limit: 10 });
      expect(named.items.map((p) => p.id)).toEqual(['A']);
    });

    it('pages the patient list with a cursor', async () => {
      const at = (minute: number) => Date.parse(`2026-11-24T10:${minute}:00.000Z`);
      await spec()
        .given()
        .when(
          patientRegistered('P1', {}, { occurredAt: at(10) }),
          patientRegistered('P2', {}, { occurredAt: at(20) }),
          patientRegistered('P3', {}, { occurredAt: at(30) }),
        )
        .thenRowsMatch('SELECT count(*)::int AS n FROM patients', [], [{ n: 3 }]);
      const first = await listPatients(db.pool, 'tenant-a', {}, { limit: 2 });
      expect(first.items.map((p) => p.id)).toEqual(['P3', 'P2']);
      const second = await listPatients(
        db.pool,
        'tenant-a',
        {},
        { limit: 2, cursor: first.nextCursor ?? undefined },
      );
      expect(second).toMatchObject({ items: [{ id: 'P1' }], nextCursor: null });
    });
  });

  describe('entities', () => {
    const LABS = `SELECT test, value, round, to_char(observed_on, 'YYYY-MM-DD') AS observed_on
      FROM document_labs WHERE document_id = $1 ORDER BY ordinal`;

    it('keeps each lab with its unit, range, flag, date and span', async () => {
      const upload = documentUploaded();
      await spec()
        .given(upload)
        .when(
          matchingOf(upload).entitiesExtracted({
            collectionDate: {
              value: '2026-02-03',
              span: { page: 1, start: 5, end: 15, confidence: 1 },
            },
            encounterDate: {
              value: '2026-02-01',
              span: { page: 1, start: 0, end: 4, confidence: 1 },
            },
            labs: [
              labEntity('Glucosa', 126, { span: { page: 2, start: 30, end: 50, confidence: 0.8 } }),
            ],
          }),
        )
        .thenRows(
          `SELECT test, test_key, value, unit, reference_range, reference_low, reference_high, flag,
             flag_source, to_char(observed_on, 'YYYY-MM-DD') AS observed_on, page, span_start,
             span_end, confidence FROM document_labs`,
          [],
          [
            {
              test: 'Glucosa',
              test_key: 'glucosa',
              value: 126,
              unit: 'mg/dL',
              reference_range: '70-100',
              reference_low: 70,
              reference_high: 100,
              flag: 'H',
              flag_source: 'computed',
              observed_on: '2026-02-03',
              page: 2,
              span_start: 30,
              span_end: 50,
              confidence: 0.8,
            },
          ],
        );
    });

    it("replaces a document's rows with a newer round's and ignores an older round's", async () => {
      const upload = documentUploaded();
      const matching = matchingOf(upload);
      const round2 = matching.entitiesExtracted({
        round: 2,
        labs: [labEntity('Creatinina', 0.9)],
        medications: [],
      });
      await spec()
        .given(
          upload,
          matching.entitiesExtracted({
            labs: [labEntity('Glucosa', 126), labEntity('Urea', 30)],
            medications: [
              {
                name: 'Metformina',
                strength: '850 mg',
                route: 'oral',
                frequency: 'cada 12 horas',
                timesPerDay: 2,
                span: { page: 1, start: 0, end: 9, confidence: 1 },
              },
            ],
          }),
        )
        .when(round2, round2, matching.entitiesExtracted({ labs: [labEntity('Late', 1)] }))
        .thenRows(
          LABS,
          [upload.metadata.aggregateId],
          [{ test: 'Creatinina', value: 0.9, round: 2, observed_on: null }],
        );
      const { rows } = await db.pool.query(
        `SELECT (SELECT count(*)::int FROM document_medications) AS medications,
           (SELECT round FROM document_entities) AS round,
           (SELECT entities->'labs'->0->>'test' FROM document_entities) AS first_lab`,
      );
      expect(rows).toEqual([{ medications: 0, round: 2, first_lab: 'Creatinina' }]);
    });

    it("gives a patient's labs over time across its documents and the patients merged into it", async () => {
      const january = documentUploaded();
      const march = documentUploaded();
      const other = documentUploaded();
      const sampled = (value: string) => ({
        value,
        span: { page: 1, start: 0, end: 10, confidence: 1 },
      });
      await spec()
        .given(
          patientRegistered('A'),
          patientRegistered('B'),
          patientRegistered('C'),
          march,
          january,
          other,
          matchingOf(march).entitiesExtracted({
            collectionDate: sampled('2026-03-10'),
            labs: [labEntity('GLUCOSA', 140), labEntity('Urea', 30)],
          }),
          matchingOf(january).entitiesExtracted({
            collectionDate: sampled('2026-01-10'),
            labs: [labEntity('Glucosa', 110)],
          }),
          matchingOf(other).entitiesExtracted({
            collectionDate: sampled('2026-02-10'),
            labs: [labEntity('Glucosa', 99)],
          }),
          matchingOf(march).patientMatched('A'),
          matchingOf(january).patientMatched('B'),
          matchingOf(other).patientMatched('C'),
        )
        .when(patientsMerged('A', 'B'))
        .thenRowsMatch(
          MERGED_INTO,
          [],
          [{ patient_id: 'A' }, { patient_id: 'B', merged_into: 'A' }, { patient_id: 'C' }],
        );
      const labs = await patientLabs(db.pool, 'tenant-a', 'A', 'glucosá');
      expect(labs.map((l) => [l.documentId, l.test, l.value, l.observedOn])).toEqual([
        [january.metadata.aggregateId, 'Glucosa', 110, '2026-01-10'],
        [march.metadata.aggregateId, 'GLUCOSA', 140, '2026-03-10'],
      ]);
      expect((await patientLabs(db.pool, 'tenant-a', 'A')).map((l) => l.test)).toHaveLength(3);
      const documents = await patientDocuments(db.pool, 'tenant-a', 'A');
      expect(documents.map((d) => d.id).sort()).toEqual(
        [january.metadata.aggregateId, march.metadata.aggregateId].sort(),
      );
    });
  });

  describe('reviews', () => {
    const REVIEW = `SELECT review_id, document_id, status, score, resolved_by, patient_id, note,
      candidates->0->>'patientId' AS best FROM reviews`;
    const candidate = {
      patientId: 'patient-9',
      score: 0.74,
      evidence: [{ field: 'name', agreement: 0.9, weight: 2, detail: 'close' }],
    };

    it('opens a review with its subject and candidates', async () => {
      const upload = documentUploaded();
      await spec()
        .given(upload)
        .when(matchingOf(upload).reviewRequired('review-1', [candidate], { score: 0.74 }))
        .thenRows(
          REVIEW,
          [],
          [
            {
              review_id: 'review-1',
              document_id: upload.metadata.aggregateId,
              status: 'open',
              score: 0.74,
              resolved_by: null,
              patient_id: null,
              note: null,
              best: 'patient-9',
            },
          ],
        );
      const { items } = await listReviews(db.pool, 'tenant-a', 'open', { limit: 10 });
      expect(items).toMatchObject([
        { id: 'review-1', subject: { name: 'ANA PEREZ LOPEZ' }, candidates: [candidate] },
      ]);
    });

    it('closes a review once, with who resolved it; a later resolution changes nothing', async () => {
      const upload = documentUploaded();
      const matching = matchingOf(upload);
      await spec()
        .given(upload, matching.reviewRequired('review-1', [candidate]))
        .when(
          matching.reviewResolved('review-1', 'registered', 'patient-new', { note: 'new person' }),
          matching.reviewResolved('review-1', 'assigned', 'patient-9'),
        )
        .thenRowsMatch(
          REVIEW,
          [],
          [
            {
              status: 'registered',
              resolved_by: 'reviewer:ana.reviewer',
              patient_id: 'patient-new',
              note: 'new person',
            },
          ],
        );
      expect((await listReviews(db.pool, 'tenant-a', 'open', { limit: 10 })).items).toEqual([]);
      expect(
        (await listReviews(db.pool, 'tenant-a', 'registered', { limit: 10 })).items,
      ).toHaveLength(1);
    });

    it('supersedes an open review when the document is processed again', async () => {
      const upload = documentUploaded();
      const matching = matchingOf(upload);
      await spec()
        .given(upload, matching.reviewRequired('review-1', [candidate]))
        .when(
          chainOf(upload).reprocessRequested(2),
          matching.reviewRequired('review-2', [candidate], { round: 2 }),
        )
        .thenRowsMatch(
          `${REVIEW} ORDER BY review_id`,
          [],
          [
            { review_id: 'review-1', status: 'superseded' },
            { review_id: 'review-2', status: 'open' },
          ],
        );
    });

    it('lists open reviews oldest first, a page at a time', async () => {
      const uploads = [documentUploaded(), documentUploaded(), documentUploaded()];
      const at = (minute: number) => ({
        occurredAt: Date.parse(`2026-11-24T10:${minute}:00.000Z`),
      });
      await spec()
        .given(...uploads)
        .when(
          ...uploads.map((u, i) => {
            const event = matchingOf(u).reviewRequired(`review-${i}`, []);
            return { ...event, metadata: { ...event.metadata, ...at(50 - i * 10) } };
          }),
        )
        .thenRowsMatch('SELECT count(*)::int AS n FROM reviews', [], [{ n: 3 }]);
      const first = await listReviews(db.pool, 'tenant-a', 'open', { limit: 2 });
      expect(first.items.map((r) => r.id)).toEqual(['review-2', 'review-1']);
      const rest = await listReviews(db.pool, 'tenant-a', 'open', {
        limit: 2,
        cursor: first.nextCursor ?? undefined,
      });
      expect(rest).toMatchObject({ items: [{ id: 'review-0' }], nextCursor: null });
    });
  });
});
