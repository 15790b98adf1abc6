import type { DomainEvent, LogPosition } from '../../schemas/events.ts';
import { defineProjection, insertRow, type SqlStatement, sql } from '../runtime/projection.ts';

/** One row: `event`, at `position`, names `patientId` (and `relatedId`, a patient or document). */
function names(
  event: DomainEvent,
  position: LogPosition,
  patientId: string,
  relatedId: string | null,
): SqlStatement {
  const { tenantId, eventId, occurredAt } = event.metadata;
  return insertRow(
    `INSERT INTO patient_timeline (tenant_id, patient_id, event_id, event_type, related_id, topic,
       partition, "offset", occurred_at)`,
    'ON CONFLICT (tenant_id, patient_id, event_id) DO NOTHING',
    tenantId,
    patientId,
    eventId,
    event.type,
    relatedId,
    position.topic,
    position.partition,
    position.offset,
    new Date(occurredAt),
  );
}

/**
 * Where every event that names a patient sits in the log, under each patient it names: what an
 * as-of read of a patient, or of a document's patient, fetches from the log to fold.
 */
export const patientTimelineProjection = defineProjection({
  name: 'patient-timeline',
  handlers: {
    PatientRegistered: (event, position) => [
      names(event, position, event.metadata.aggregateId, null),
    ],
    PatientRecordLinked: (event, position) => [
      names(event, position, event.metadata.aggregateId, null),
    ],
    PatientsMerged: (event, position) => [
      names(event, position, event.metadata.aggregateId, event.data.mergedId),
      names(event, position, event.data.mergedId, event.metadata.aggregateId),
    ],
    PatientMatched: (event, position) => [
      names(event, position, event.data.patientId, event.metadata.aggregateId),
    ],
    ReviewResolved: (event, position) =>
      event.data.patientId
        ? [names(event, position, event.data.patientId, event.metadata.aggregateId)]
        : [],
    PatientErased: (event) => [
      sql(
        'DELETE FROM patient_timeline WHERE tenant_id = $1 AND patient_id = ANY($2::text[])',
        event.metadata.tenantId,
        [event.metadata.aggregateId, ...event.data.mergedIds],
      ),
    ],
    // A document's decisions may be folded after its patient's erasure (another partition).
    DocumentErased: (event) => [
      sql(
        'DELETE FROM patient_timeline WHERE tenant_id = $1 AND related_id = $2',
        event.metadata.tenantId,
        event.metadata.aggregateId,
      ),
    ],
  },
});
