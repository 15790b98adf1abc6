import type { Queryable } from '../../infra/postgres.ts';
import { OF_PATIENT } from '../patients/queries.ts';
import { searchKey } from './values.ts';

export interface DocumentEntities {
  documentId: string;
  round: number;
  dateFormat: string;
  extractedAt: string;
  /** The whole EntitiesExtracted payload of the latest round. */
  entities: Record<string, unknown>;
}

export async function documentEntities(
  db: Queryable,
  tenantId: string,
  documentId: string,
): Promise<DocumentEntities | null> {
  const { rows } = await db.query(
    `SELECT round, date_format, extracted_at, entities FROM document_entities e
     WHERE tenant_id = $1 AND document_id = $2
       AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.tenant_id = $1
         AND d.document_id = e.document_id AND d.trashed_at IS NOT NULL)`,
    [tenantId, documentId],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    documentId,
    round: row.round,
    dateFormat: row.date_format,
    extractedAt: row.extracted_at.toISOString(),
    entities: row.entities,
  };
}

/** Where a fact was read: document, page, span and how sure the reading was. */
const SOURCE = `e.document_id, e.ordinal, to_char(e.observed_on, 'YYYY-MM-DD') AS observed_on,
  e.page, e.span_start, e.span_end, e.confidence`;

export interface FactSource {
  documentId: string;
  /** Its place among the document's facts of its kind, in reading order. */
  ordinal: number;
  /** YYYY-MM-DD: the sample's collection date for labs, else the encounter's. */
  observedOn: string | null;
  span: { page: number; start: number; end: number; confidence: number };
}

interface SourceRow {
  document_id: string;
  ordinal: number;
  observed_on: string | null;
  page: number;
  span_start: number;
  span_end: number;
  confidence: number;
}

const source = (r: SourceRow): FactSource => ({
  documentId: r.document_id,
  ordinal: r.ordinal,
  observedOn: r.observed_on,
  span: { page: r.page, start: r.span_start, end: r.span_end, confidence: r.confidence },
});

const FROM = (table: string) =>
  `FROM ${table} e JOIN documents d ON d.tenant_id = e.tenant_id AND d.document_id = e.document_id
   WHERE ${OF_PATIENT}`;

/** Oldest first; undated facts last, then in upload and reading order. */
const CHRONOLOGICAL = 'ORDER BY e.observed_on NULLS LAST, d.uploaded_at, e.document_id, e.ordinal';

export interface LabResult extends FactSource {
  test: string;
  value: number;
  unit: string | null;
  referenceRange: string | null;
  referenceLow: number | null;
  referenceHigh: number | null;
  flag: string | null;
  flagSource: string | null;
}

/** A patient's lab values over time; `test` matches the test name, case and accents aside. */
export async function patientLabs(
  db: Queryable,
  tenantId: string,
  patientId: string,
  test?: string,
): Promise<LabResult[]> {
  const values: unknown[] = [tenantId, patientId];
  if (test) values.push(searchKey(test));
  const { rows } = await db.query(
    `SELECT ${SOURCE}, e.test, e.value, e.unit, e.reference_range, e.reference_low,
       e.reference_high, e.flag, e.flag_source
     ${FROM('document_labs')}${test ? ' AND e.test_key = $3' : ''} ${CHRONOLOGICAL}`,
    values,
  );
  return rows.map((r) => ({
    ...source(r),
    test: r.test,
    value: r.value,
    unit: r.unit,
    referenceRange: r.reference_range,
    referenceLow: r.reference_low,
    referenceHigh: r.reference_high,
    flag: r.flag,
    flagSource: r.flag_source,
  }));
}

export interface Medication extends FactSource {
  name: string;
  strength: string | null;
  route: string | null;
  frequency: string | null;
  timesPerDay: number | null;
}

export async function patientMedications(
  db: Queryable,
  tenantId: string,
  patientId: string,
): Promise<Medication[]> {
  const { rows } = await db.query(
    `SELECT ${SOURCE}, e.name, e.strength, e.route, e.frequency, e.times_per_day
     ${FROM('document_medications')} ${CHRONOLOGICAL}`,
    [tenantId, patientId],
  );
  return rows.map((r) => ({
    ...source(r),
    name: r.name,
    strength: r.strength,
    route: r.route,
    frequency: r.frequency,
    timesPerDay: r.times_per_day,
  }));
}

export interface Diagnosis extends FactSource {
  text: string;
  icd10: string | null;
}

export async function patientDiagnoses(
  db: Queryable,
  tenantId: string,
  patientId: string,
): Promise<Diagnosis[]> {
  const { rows } = await db.query(
    `SELECT ${SOURCE}, e.text, e.icd10 ${FROM('document_diagnoses')} ${CHRONOLOGICAL}`,
    [tenantId, patientId],
  );
  return rows.map((r) => ({ ...source(r), text: r.text, icd10: r.icd10 }));
}
