import type { PatientEvent, PatientSubject } from '../../schemas/events.ts';
import { isoDate } from '../entities/values.ts';
import type { PatientView } from '../patients/queries.ts';

/** One patient's row of the index; `registeredAt` stays null for a patient only a merge named. */
export interface PatientRecord extends Omit<PatientView, 'mergedIds' | 'mergedInto'> {
  registeredAt: string;
  registered: boolean;
  mergedInto: string | null;
}

/**
 * The patients of a tenant that a read involves, folded in memory: `evolvePatients` does what the
 * `patients` projection's SQL does to their rows, so the same view comes out of it.
 */
export type PatientIndex = ReadonlyMap<string, PatientRecord>;

const identifiersOf = (subject: PatientSubject) =>
  subject.identifiers.map(({ kind, value }) => ({ kind, value, facility: subject.facility }));

const blank = (tenantId: string, id: string): PatientRecord => ({
  id,
  tenantId,
  facility: null,
  name: null,
  surnames: null,
  givenNames: null,
  dateOfBirth: null,
  sex: null,
  identifiers: [],
  reason: null,
  registeredAt: '',
  registeredByDocument: null,
  registered: false,
  mergedInto: null,
});

/** The identifiers of both lists, each once. */
function union(a: PatientRecord['identifiers'], b: PatientRecord['identifiers']) {
  const seen = new Map(a.map((i) => [JSON.stringify([i.kind, i.value, i.facility]), i]));
  for (const i of b) seen.set(JSON.stringify([i.kind, i.value, i.facility]), i);
  return [...seen.values()];
}

/** The index after `event`. */
export function evolvePatients(index: PatientIndex, event: PatientEvent): PatientIndex {
  const { tenantId, aggregateId, occurredAt } = event.metadata;
  const next = new Map(index);
  const current = index.get(aggregateId);
  switch (event.type) {
    case 'PatientRegistered': {
      if (current?.registered) return index;
      const { subject } = event.data;
      const name =
        subject.name ?? ([subject.givenNames, subject.surnames].filter(Boolean).join(' ') || null);
      next.set(aggregateId, {
        ...(current ?? blank(tenantId, aggregateId)),
        facility: subject.facility,
        name,
        surnames: subject.surnames,
        givenNames: subject.givenNames,
        dateOfBirth: isoDate(subject.dateOfBirth),
        sex: subject.sex,
        identifiers: identifiersOf(subject),
        reason: event.data.reason,
        registeredAt: new Date(occurredAt).toISOString(),
        registeredByDocument: event.data.documentId,
        registered: true,
      });
      return next;
    }
    case 'PatientRecordLinked': {
      if (!current) return index;
      const identifiers = union(current.identifiers, identifiersOf(event.data.subject));
      next.set(aggregateId, { ...current, identifiers });
      return next;
    }
    case 'PatientsMerged': {
      // Chains stay one step long: everything merged into `mergedId` follows it to the root.
      const root = current?.mergedInto ?? aggregateId;
      const { mergedId } = event.data;
      next.set(mergedId, {
        ...(index.get(mergedId) ?? blank(tenantId, mergedId)),
        mergedInto: root,
      });
      for (const [id, record] of next) {
        if (record.mergedInto === mergedId) next.set(id, { ...record, mergedInto: root });
      }
      return next;
    }
    case 'PatientErased': {
      for (const id of [aggregateId, ...event.data.mergedIds]) next.delete(id);
      return next;
    }
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

export const foldPatients = (events: readonly PatientEvent[]): PatientIndex =>
  events.reduce(evolvePatients, new Map() as PatientIndex);

/** The patient that answers for `id`: itself, or the survivor it was merged into. */
export const survivorOf = (index: PatientIndex, id: string): string =>
  index.get(id)?.mergedInto ?? id;

/** The patient as `findPatient` shows it: the survivor's row, null if it is not registered. */
export function patientView(index: PatientIndex, id: string): PatientView | null {
  const requested = index.get(id);
  if (!requested) return null;
  const survivor = index.get(requested.mergedInto ?? id);
  if (!survivor?.registered) return null;
  const { registered: _registered, mergedInto: _mergedInto, ...row } = survivor;
  const mergedIds = [...index.values()]
    .filter((r) => r.mergedInto === survivor.id)
    .map((r) => r.id)
    .sort();
  return { ...row, mergedInto: requested.mergedInto, mergedIds };
}
