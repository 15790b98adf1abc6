import { invalid } from '../../infra/errors.ts';
import type { EventLog } from '../../infra/kafka/event-log.ts';
import { type Pool, withTenant } from '../../infra/postgres.ts';
import type { LogPosition, PatientsMerged } from '../../schemas/events.ts';
import { eventLogUnavailable } from '../errors.ts';
import { newMetadata } from '../event-metadata.ts';
import { conflict, knownPatient } from './lookup.ts';

export interface MergeRequest {
  tenantId: string;
  /** The patient that lives on. */
  survivorId: string;
  /** The patient found to be the same person, merged into the survivor. */
  mergedId: string;
  /** The principal who decided: `user:<subject>` or `key:<id>`. */
  actor: string;
  reason: string | null;
  correlationId: string;
}

export interface MergeAccepted {
  survivorId: string;
  mergedId: string;
  position: LogPosition;
}

export type MergePatients = (request: MergeRequest) => Promise<MergeAccepted>;

const alreadyMerged = (id: string) =>
  conflict('PATIENT_ALREADY_MERGED', `patient ${id} has already been merged into another`);

/**
 * Records that two patients are one person. Merges of a tenant are serialised, and each merged
 * patient gets a write-side row in the transaction that appends the event, so a patient is merged
 * away once and never into a patient that is itself merged away.
 */
export function createPatientMerger(deps: {
  pool: Pool;
  eventLog: EventLog;
  now: () => number;
  newId: () => string;
}): MergePatients {
  return async (request) => {
    const { tenantId, survivorId, mergedId } = request;
    if (survivorId === mergedId) {
      throw invalid('SAME_PATIENT', 'a patient cannot be merged into itself');
    }
    return withTenant(deps.pool, tenantId, async (db) => {
      await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        `patient-merges/${tenantId}`,
      ]);
      const survivor = await knownPatient(db, tenantId, survivorId);
      const merged = await knownPatient(db, tenantId, mergedId);
      const { rows: recorded } = await db.query<{ merged_id: string }>(
        `SELECT merged_id FROM write_side.patient_merges
         WHERE tenant_id = $1 AND merged_id = ANY($2)`,
        [tenantId, [survivorId, mergedId]],
      );
      const gone = new Set(recorded.map((r) => r.merged_id));
      for (const patient of [survivor, merged]) {
        if (patient.mergedInto || gone.has(patient.patientId)) {
          throw alreadyMerged(patient.patientId);
        }
      }
      await db.query(
        `INSERT INTO write_side.patient_merges (tenant_id, merged_id, survivor_id, merged_by)
         VALUES ($1, $2, $3, $4)`,
        [tenantId, mergedId, survivorId, request.actor],
      );
      const event: PatientsMerged = {
        type: 'PatientsMerged',
        metadata: newMetadata(deps, {
          tenantId,
          aggregateId: survivorId,
          correlationId: request.correlationId,
          actor: request.actor,
        }),
        data: { mergedId, reason: request.reason },
      };
      try {
        return { survivorId, mergedId, position: await deps.eventLog.append(event) };
      } catch (cause) {
        throw eventLogUnavailable(cause);
      }
    });
  };
}
