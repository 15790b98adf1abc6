import type { Queryable } from '../../infra/postgres.ts';
import type { LogPosition } from '../../schemas/events.ts';

export interface PatientTimelineRow {
  patientId: string;
  type: string;
  relatedId: string | null;
  position: LogPosition;
}

/** The rows naming any of `patientIds` that occurred at or before `asOf`, in no set order. */
export async function patientEventsUntil(
  db: Queryable,
  tenantId: string,
  patientIds: readonly string[],
  asOf: Date,
): Promise<PatientTimelineRow[]> {
  const { rows } = await db.query(
    `SELECT patient_id, event_type, related_id, topic, partition, "offset"
     FROM patient_timeline
     WHERE tenant_id = $1 AND patient_id = ANY($2) AND occurred_at <= $3`,
    [tenantId, patientIds, asOf],
  );
  return rows.map((r) => ({
    patientId: r.patient_id,
    type: r.event_type,
    relatedId: r.related_id,
    position: { topic: r.topic, partition: r.partition, offset: String(r.offset) },
  }));
}

/**
 * `patientId` and every patient a merge at or before `asOf` joined to it, directly or through
 * another, with the rows naming any of them: the patients whose events decide how it read then.
 */
export async function mergeGroupUntil(
  db: Queryable,
  tenantId: string,
  patientId: string,
  asOf: Date,
): Promise<{ patientIds: string[]; rows: PatientTimelineRow[] }> {
  const group = new Set([patientId]);
  let frontier = [patientId];
  const rows: PatientTimelineRow[] = [];
  while (frontier.length > 0) {
    const found = await patientEventsUntil(db, tenantId, frontier, asOf);
    rows.push(...found);
    frontier = [];
    for (const row of found) {
      if (row.type !== 'PatientsMerged' || !row.relatedId || group.has(row.relatedId)) continue;
      group.add(row.relatedId);
      frontier.push(row.relatedId);
    }
  }
  return { patientIds: [...group], rows };
}

/** The patients that decisions on `documentId` at or before `asOf` named. */
export async function patientsNamedBy(
  db: Queryable,
  tenantId: string,
  documentId: string,
  asOf: Date,
): Promise<string[]> {
  const { rows } = await db.query<{ patient_id: string }>(
    `SELECT DISTINCT patient_id FROM patient_timeline
     WHERE tenant_id = $1 AND related_id = $2 AND occurred_at <= $3`,
    [tenantId, documentId, asOf],
  );
  return rows.map((r) => r.patient_id);
}
