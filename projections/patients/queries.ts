import type { Queryable } from '../../infra/postgres.ts';
import { searchKey } from '../entities/values.ts';
import { decodeCursor, pageOf } from '../runtime/paging.ts';

/**
 * SQL condition: document `d` belongs to patient $2 (a survivor) or to a patient merged into it;
 * $1 is the tenant. Facts keep the patient id decided at the time; merges apply here.
 */
// A document in the trash is none of its patient's until it is restored.
export const OF_PATIENT = `d.tenant_id = $1 AND d.trashed_at IS NULL AND (d.patient_id = $2
  OR d.patient_id IN (SELECT patient_id FROM patients WHERE tenant_id = $1 AND merged_into = $2))`;

export interface PatientView {
  id: string;
  tenantId: string;
  facility: string | null;
  name: string | null;
  surnames: string | null;
  givenNames: string | null;
  dateOfBirth: string | null;
  sex: string | null;
  identifiers: Array<{ kind: string; value: string; facility: string | null }>;
  reason: string | null;
  registeredAt: string;
  registeredByDocument: string | null;
  /** Set when the patient asked for was merged: the survivor answering for it (this `id`). */
  mergedInto: string | null;
  /** The patients merged into this one. */
  mergedIds: string[];
}

interface PatientRow {
  patient_id: string;
  tenant_id: string;
  facility: string | null;
  name: string | null;
  surnames: string | null;
  given_names: string | null;
  date_of_birth: string | null;
  sex: string | null;
  identifiers: Array<{ kind: string; value: string; facility: string | null }>;
  reason: string | null;
  registered_at: Date;
  registered_by_document: string | null;
  requested_merged_into: string | null;
  merged_ids: string[];
}

const COLUMNS = `p.patient_id, p.tenant_id, p.facility, p.name, p.surnames, p.given_names,
  to_char(p.date_of_birth, 'YYYY-MM-DD') AS date_of_birth, p.sex, p.identifiers, p.reason,
  p.registered_at, p.registered_by_document,
  ARRAY(SELECT m.patient_id FROM patients m WHERE m.tenant_id = p.tenant_id
    AND m.merged_into = p.patient_id ORDER BY m.patient_id) AS merged_ids`;

const toView = (r: PatientRow): PatientView => ({
  id: r.patient_id,
  tenantId: r.tenant_id,
  facility: r.facility,
  name: r.name,
  surnames: r.surnames,
  givenNames: r.given_names,
  dateOfBirth: r.date_of_birth,
  sex: r.sex,
  identifiers: r.identifiers,
  reason: r.reason,
  registeredAt: r.registered_at.toISOString(),
  registeredByDocument: r.registered_by_document,
  mergedInto: r.requested_merged_into,
  mergedIds: r.merged_ids,
});

/** The patient, or the survivor it was merged into; null when the tenant has no such patient. */
export async function findPatient(
  db: Queryable,
  tenantId: string,
  id: string,
): Promise<PatientView | null> {
  const { rows } = await db.query<PatientRow>(
    `SELECT ${COLUMNS}, r.merged_into AS requested_merged_into
     FROM patients r JOIN patients p
       ON p.tenant_id = r.tenant_id AND p.patient_id = COALESCE(r.merged_into, r.patient_id)
     WHERE r.tenant_id = $1 AND r.patient_id = $2 AND p.registered_at IS NOT NULL`,
    [tenantId, id],
  );
  return rows[0] ? toView(rows[0]) : null;
}

/** Patients not merged into another, newest registration first; `q` filters on the name. */
export async function listPatients(
  db: Queryable,
  tenantId: string,
  filters: { q?: string },
  page: { limit: number; cursor?: string },
): Promise<{ items: PatientView[]; nextCursor: string | null }> {
  const where = ['p.tenant_id = $1', 'p.merged_into IS NULL', 'p.registered_at IS NOT NULL'];
  const values: unknown[] = [tenantId];
  if (filters.q) {
    values.push(`%${searchKey(filters.q).replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where.push(`p.name_key LIKE $${values.length}`);
  }
  if (page.cursor) {
    const [at, id] = decodeCursor(page.cursor);
    values.push(at, id);
    where.push(`(p.registered_at, p.patient_id) < ($${values.length - 1}, $${values.length})`);
  }
  values.push(page.limit + 1);
  const { rows } = await db.query<PatientRow>(
    `SELECT ${COLUMNS}, NULL AS requested_merged_into FROM patients p
     WHERE ${where.join(' AND ')}
     ORDER BY p.registered_at DESC, p.patient_id DESC LIMIT $${values.length}`,
    values,
  );
  return pageOf(rows.map(toView), page.limit, (item) => [item.registeredAt, item.id]);
}

export interface PatientDocument {
  id: string;
  fileName: string;
  documentType: string | null;
  status: string;
  uploadedAt: string;
  /** The patient the document was matched to, before merges. */
  patientId: string;
  matchStatus: string;
  matchScore: number | null;
  matchMethod: string | null;
}

/** The documents of a survivor and of the patients merged into it, newest first. */
export async function patientDocuments(
  db: Queryable,
  tenantId: string,
  patientId: string,
): Promise<PatientDocument[]> {
  const { rows } = await db.query(
    `SELECT d.document_id, d.file_name, d.document_type, d.status, d.uploaded_at, d.patient_id,
       d.match_status, d.match_score, d.match_method
     FROM documents d WHERE ${OF_PATIENT}
     ORDER BY d.uploaded_at DESC, d.document_id DESC`,
    [tenantId, patientId],
  );
  return rows.map((r) => ({
    id: r.document_id,
    fileName: r.file_name,
    documentType: r.document_type,
    status: r.status,
    uploadedAt: r.uploaded_at.toISOString(),
    patientId: r.patient_id,
    matchStatus: r.match_status,
    matchScore: r.match_score,
    matchMethod: r.match_method,
  }));
}

/**
 * The patient as registered, merges not followed: a merged patient keeps its own id and names
 * its survivor in `mergedInto`. Null when the tenant has no such registered patient.
 */
export async function patientAsRecorded(
  db: Queryable,
  tenantId: string,
  id: string,
): Promise<PatientView | null> {
  const { rows } = await db.query<PatientRow>(
    `SELECT ${COLUMNS}, p.merged_into AS requested_merged_into FROM patients p
     WHERE p.tenant_id = $1 AND p.patient_id = $2 AND p.registered_at IS NOT NULL`,
    [tenantId, id],
  );
  return rows[0] ? toView(rows[0]) : null;
}

/** An identifier's issuing facility as letters, digits and dashes, as FHIR systems name it. */
const FACILITY_SLUG = `trim(BOTH '-' FROM regexp_replace(
  lower(unaccent(COALESCE(i->>'facility', ''))), '[^a-z0-9]+', '-', 'g'))`;

export interface PatientCriteria {
  /** An identifier's value, with its kind (and issuing facility) when the caller knows them. */
  identifier?: { value: string; kind?: string; facilitySlug?: string };
  /** Part of the name, any case or accents. */
  name?: string;
  /** Born on or after `from` and before `to` (YYYY-MM-DD). */
  birthDate?: { from: string; to: string };
}

/**
 * Patients not merged into another that meet every criterion themselves or through a patient
 * merged into them, oldest registration first, with how many there are in all.
 */
export async function searchPatients(
  db: Queryable,
  tenantId: string,
  criteria: PatientCriteria,
  page: { count: number; offset: number },
): Promise<{ total: number; items: PatientView[] }> {
  const values: unknown[] = [tenantId];
  const where: string[] = [];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  const { identifier, name, birthDate } = criteria;
  if (identifier) {
    const conditions = [`i->>'value' = ${param(identifier.value)}`];
    if (identifier.kind) conditions.push(`i->>'kind' = ${param(identifier.kind)}`);
    if (identifier.facilitySlug !== undefined) {
      conditions.push(`${FACILITY_SLUG} = ${param(identifier.facilitySlug)}`);
    }
    where.push(`EXISTS (SELECT 1 FROM jsonb_array_elements(c.identifiers) i
      WHERE ${conditions.join(' AND ')})`);
  }
  if (name) {
    const pattern = `%${searchKey(name).replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    where.push(`c.name_key LIKE ${param(pattern)}`);
  }
  if (birthDate) {
    where.push(`c.date_of_birth >= ${param(birthDate.from)}`);
    where.push(`c.date_of_birth < ${param(birthDate.to)}`);
  }
  const matching = where.length
    ? `AND EXISTS (SELECT 1 FROM patients c WHERE c.tenant_id = p.tenant_id
        AND (c.patient_id = p.patient_id OR c.merged_into = p.patient_id) AND ${where.join(' AND ')})`
    : '';
  const { rows } = await db.query<PatientRow & { total: number }>(
    `SELECT ${COLUMNS}, NULL AS requested_merged_into, count(*) OVER ()::int AS total
     FROM patients p
     WHERE p.tenant_id = $1 AND p.merged_into IS NULL AND p.registered_at IS NOT NULL ${matching}
     ORDER BY p.registered_at, p.patient_id
     LIMIT ${param(page.count)} OFFSET ${param(page.offset)}`,
    values,
  );
  if (rows.length > 0 || page.offset === 0) {
    return { total: rows[0]?.total ?? 0, items: rows.map(toView) };
  }
  // Past the last page the window counts nothing: count apart.
  const { rows: counted } = await db.query<{ total: number }>(
    `SELECT count(*)::int AS total FROM patients p
     WHERE p.tenant_id = $1 AND p.merged_into IS NULL AND p.registered_at IS NOT NULL ${matching}`,
    values.slice(0, -2),
  );
  return { total: counted[0]?.total ?? 0, items: [] };
}
