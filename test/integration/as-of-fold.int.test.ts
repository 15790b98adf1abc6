import { describe, expect, it } from 'vitest';
import { foldDocument } from '../../projections/as-of/document-state.ts';
import { foldEntities } from '../../projections/as-of/entities-state.ts';
import { foldPatients } from '../../projections/as-of/patient-state.ts';
import {
  documentWithSurvivor,
  foldEach,
  patientWithDocuments,
} from '../../projections/as-of/views.ts';
import { findDocument } from '../../projections/documents/queries.ts';
import { documentEntities } from '../../projections/entities/queries.ts';
import { findPatient, patientDocuments } from '../../projections/patients/queries.ts';
import type { DocumentEvent, DomainEvent, PatientEvent } from '../../schemas/events.ts';
import {
  chainOf,
  documentEvent,
  documentUploaded,
  matchingOf,
  patientRegistered,
  patientSubject,
  patientsMerged,
} from '../support/events.ts';
import { readModelDatabase } from '../support/projection-spec.ts';

const TENANT = 'tenant-a';
const meta = { tenantId: TENANT };

/** Documents and patients touching every event type the document and patient reads fold. */
function fixtures() {
  const [ana, anaAgain] = ['patient-ana', 'patient-ana-2'];
  const reviewed = documentUploaded({ metadata: meta });
  const r = { chain: chainOf(reviewed), matching: matchingOf(reviewed) };
  const rejected = documentUploaded({ metadata: meta });
  const failed = documentUploaded({ metadata: meta });
  const zip = documentUploaded({
    metadata: meta,
    data: { mediaType: 'application/zip', fileName: 'scans.zip', exportName: null },
  });
  const reprocessed = documentUploaded({ metadata: meta });
  const p = { chain: chainOf(reprocessed), matching: matchingOf(reprocessed) };
  const documents: DocumentEvent[][] = [
    [
      reviewed,
      r.chain.validated(),
      r.chain.textExtracted(['GLUCOSA 98 mg/dL', 'UREA 30 mg/dL']),
      r.chain.classified('lab-result'),
      r.matching.entitiesExtracted(),
      r.matching.qualityAssessed(0.8),
      r.matching.reviewRequired('review-1', []),
      r.matching.reviewResolved('review-1', 'assigned', anaAgain),
    ],
    [rejected, chainOf(rejected).validated(), chainOf(rejected).rejected('TOO_MANY_PAGES')],
    [failed, chainOf(failed).failed('validate')],
    [
      zip,
      documentEvent(
        'ArchiveExpanded',
        {
          round: 1,
          accepted: [{ entryPath: 'a.pdf', documentId: 'child-1' }],
          rejected: [{ entryPath: '../b.pdf', reason: 'ARCHIVE_ENTRY_PATH_UNSAFE', message: 'no' }],
        },
        { ...meta, aggregateId: zip.metadata.aggregateId, actor: 'validate@1.3.0' },
      ),
    ],
    [
      reprocessed,
      p.chain.validated(),
      p.chain.textExtracted(['INFORME']),
      p.chain.classified('clinical-note'),
      p.matching.patientMatched(ana, { score: 0.97, method: 'identifier' }),
      p.chain.reprocessRequested(2),
      p.matching.entitiesExtracted(),
      p.chain.validated({ round: 2, pageCount: 3 }),
      p.matching.entitiesExtracted({ round: 2, dateFormat: 'MDY' }),
      // The first round's extractor finishing late: replaces nothing.
      p.matching.entitiesExtracted({ dateFormat: 'DMY', dateFormatBasis: 'late' }),
      p.matching.patientMatched(ana, { round: 2, score: 0.99, method: 'identifier' }),
    ],
  ];
  const patients: PatientEvent[] = [
    patientRegistered(ana, {}, meta),
    patientRegistered(
      anaAgain,
      { subject: patientSubject({ identifiers: [{ kind: 'record-number', value: '9' }] }) },
      meta,
    ),
    documentEvent(
      'PatientRecordLinked',
      {
        documentId: reviewed.metadata.aggregateId,
        round: 1,
        subject: patientSubject({ identifiers: [{ kind: 'national-id', value: 'X1' }] }),
      },
      { ...meta, aggregateId: anaAgain, actor: 'match-patient@1.0.0' },
    ),
    patientsMerged(ana, anaAgain, meta),
  ];
  return { documents, patients, ana, anaAgain };
}

/** Identifiers in one order: the read model keeps them as a set. */
const withSortedIdentifiers = <T extends { identifiers: { kind: string; value: string }[] }>(
  view: T | null,
) =>
  view && {
    ...view,
    identifiers: [...view.identifiers].sort((a, b) =>
      `${a.kind}:${a.value}`.localeCompare(`${b.kind}:${b.value}`),
    ),
  };

describe('the as-of fold of all events equals the live read', () => {
  const db = readModelDatabase(
    'documents, document_timeline, patients, patient_timeline, document_entities, document_labs, document_medications, document_diagnoses, document_vitals, document_identifiers',
  );

  it('for documents of every event type and for patients, merges and reviews included', async () => {
    const { documents, patients, ana, anaAgain } = fixtures();
    const all: DomainEvent[] = [...patients, ...documents.flat()];
    await db
      .spec()
      .given(...all)
      .when()
      .thenRows('SELECT 1 AS applied', [], [{ applied: 1 }]);

    const index = foldPatients(patients);
    for (const events of documents) {
      const id = events[0]?.metadata.aggregateId ?? '';
      const folded = foldDocument(events);
      expect(folded && documentWithSurvivor(folded, index)).toEqual(
        await findDocument(db.pool, TENANT, id),
      );
      expect(foldEntities(events)).toEqual(await documentEntities(db.pool, TENANT, id));
    }

    for (const id of [ana, anaAgain]) {
      const live = await findPatient(db.pool, TENANT, id);
      const liveDocuments = live && (await patientDocuments(db.pool, TENANT, live.id));
      const folded = patientWithDocuments(index, id, foldEach(documents.flat()));
      expect(withSortedIdentifiers(folded)).toEqual(
        withSortedIdentifiers(live && { ...live, documents: liveDocuments }),
      );
      expect(folded?.documents).toHaveLength(2);
    }
  });

  it('indexes every event naming a patient, a merge under both patients', async () => {
    const { documents, patients, anaAgain } = fixtures();
    await db
      .spec()
      .given(...patients, ...documents.flat())
      .when()
      .thenRows(
        `SELECT event_type, related_id IS NOT NULL AS related FROM patient_timeline
         WHERE patient_id = $1 ORDER BY event_type`,
        [anaAgain],
        [
          { event_type: 'PatientRecordLinked', related: false },
          { event_type: 'PatientRegistered', related: false },
          { event_type: 'PatientsMerged', related: true },
          { event_type: 'ReviewResolved', related: true },
        ],
      );
  });
});
