import type {
  PatientRecordLinked,
  PatientRegistered,
  PatientSubject,
  PatientsMerged,
} from '../../schemas/events.ts';
import { isoDate, searchKey } from '../entities/values.ts';
import { defineProjection, type SqlStatement, sql } from '../runtime/projection.ts';

/**
 * The patient index, merges included: a merged patient points at its survivor, and the survivor
 * is always a patient that is not merged itself, whatever order the merges are folded in.
 */
export const patientsProjection = defineProjection({
  name: 'patients',
  handlers: {
    PatientRegistered: (event) => [registered(event)],
    PatientRecordLinked: (event) => [linked(event)],
    PatientsMerged: merged,
    PatientErased: (event) => [
      sql(
        'DELETE FROM patients WHERE tenant_id = $1 AND patient_id = ANY($2::text[])',
        event.metadata.tenantId,
        [event.metadata.aggregateId, ...event.data.mergedIds],
      ),
    ],
  },
});

/** Fills the row; a row a merge made first keeps its `merged_into`. */
function registered(event: PatientRegistered): SqlStatement {
  const { tenantId, aggregateId, occurredAt } = event.metadata;
  const { subject } = event.data;
  const name =
    subject.name ?? ([subject.givenNames, subject.surnames].filter(Boolean).join(' ') || null);
  return sql(
    `INSERT INTO patients (tenant_id, patient_id, facility, name, surnames, given_names, name_key,
       date_of_birth, sex, identifiers, reason, registered_at, registered_by_document)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (tenant_id, patient_id) DO UPDATE SET facility = excluded.facility,
       name = excluded.name, surnames = excluded.surnames, given_names = excluded.given_names,
       name_key = excluded.name_key, date_of_birth = excluded.date_of_birth, sex = excluded.sex,
       identifiers = excluded.identifiers, reason = excluded.reason,
       registered_at = excluded.registered_at,
       registered_by_document = excluded.registered_by_document
     WHERE patients.registered_at IS NULL`,
    tenantId,
    aggregateId,
    subject.facility,
    name,
    subject.surnames,
    subject.givenNames,
    searchKey([name, subject.surnames, subject.givenNames].filter(Boolean).join(' ')),
    isoDate(subject.dateOfBirth),
    subject.sex,
    JSON.stringify(identifiersOf(subject)),
    event.data.reason,
    new Date(occurredAt),
    event.data.documentId,
  );
}

/** Each identifier with the facility that issued it: a record number means nothing without it. */
const identifiersOf = (subject: PatientSubject) =>
  subject.identifiers.map(({ kind, value }) => ({ kind, value, facility: subject.facility }));

/** Adds the identifiers a matched document named and the patient's row did not have yet. */
function linked(event: PatientRecordLinked): SqlStatement {
  const { tenantId, aggregateId } = event.metadata;
  return sql(
    `UPDATE patients SET identifiers = (
       SELECT jsonb_agg(DISTINCT identifier) FROM jsonb_array_elements(identifiers || $3::jsonb) identifier)
     WHERE tenant_id = $1 AND patient_id = $2`,
    tenantId,
    aggregateId,
    JSON.stringify(identifiersOf(event.data.subject)),
  );
}

/**
 * Points the merged patient, and every patient already merged into it, at the survivor's own
 * survivor (itself unless the survivor was merged meanwhile), so chains stay one step long.
 */
function merged(event: PatientsMerged): SqlStatement[] {
  const { tenantId, aggregateId: survivorId } = event.metadata;
  const { mergedId } = event.data;
  const root = `COALESCE((SELECT merged_into FROM patients
    WHERE tenant_id = $1 AND patient_id = $2), $2)`;
  return [
    sql(
      `INSERT INTO patients (tenant_id, patient_id, merged_into) VALUES ($1, $3, ${root})
       ON CONFLICT (tenant_id, patient_id) DO UPDATE SET merged_into = excluded.merged_into`,
      tenantId,
      survivorId,
      mergedId,
    ),
    sql(
      `UPDATE patients SET merged_into = ${root}
       WHERE tenant_id = $1 AND merged_into = $3`,
      tenantId,
      survivorId,
      mergedId,
    ),
  ];
}
