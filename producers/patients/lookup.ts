import { DocstreamError, notFound } from '../../infra/errors.ts';
import type { PoolClient } from '../../infra/postgres.ts';

export const patientNotFound = () =>
  notFound('PATIENT_NOT_FOUND', 'no such patient for this tenant');

export const conflict = (code: string, message: string) =>
  new DocstreamError('conflict', code, message);

export interface KnownPatient {
  patientId: string;
  /** The survivor it was merged into, if it was. */
  mergedInto: string | null;
}

/** A patient of the tenant as the patient index knows it; throws PATIENT_NOT_FOUND. */
export async function knownPatient(
  db: PoolClient,
  tenantId: string,
  patientId: string,
): Promise<KnownPatient> {
  const { rows } = await db.query<{ merged_into: string | null }>(
    `SELECT merged_into FROM patients WHERE tenant_id = $1 AND patient_id = $2
       AND (registered_at IS NOT NULL OR merged_into IS NOT NULL)`,
    [tenantId, patientId],
  );
  const row = rows[0];
  if (!row) throw patientNotFound();
  return { patientId, mergedInto: row.merged_into };
}
