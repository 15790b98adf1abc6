import type { DocumentErased, PatientErased } from '../../schemas/events.ts';
import { type EventStamp, newMetadata } from '../event-metadata.ts';

interface Common {
  tenantId: string;
  principal: string;
  reason: string;
  correlationId: string;
}

/** A document's erasure: ids, who and why; `subjects` defaults to the document's own. */
export function documentErased(
  stamp: EventStamp,
  common: Common,
  documentId: string,
  causationId: string | null,
  patientId: string | null,
  subjects: readonly string[] = [`document:${documentId}`],
): DocumentErased {
  return {
    type: 'DocumentErased',
    metadata: newMetadata(stamp, {
      tenantId: common.tenantId,
      aggregateId: documentId,
      correlationId: common.correlationId,
      causationId,
      actor: common.principal,
    }),
    data: {
      principal: common.principal,
      reason: common.reason,
      patientId,
      destroyedSubjects: [...subjects],
    },
  };
}

export function patientErased(
  stamp: EventStamp,
  common: Common,
  patientId: string,
  data: { mergedIds: string[]; documentIds: string[]; destroyedSubjects: string[] },
  causationId: string | null = null,
): PatientErased {
  return {
    type: 'PatientErased',
    metadata: newMetadata(stamp, {
      tenantId: common.tenantId,
      aggregateId: patientId,
      correlationId: common.correlationId,
      causationId,
      actor: common.principal,
    }),
    data: { principal: common.principal, reason: common.reason, ...data },
  };
}
