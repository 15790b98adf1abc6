import type { EntitiesExtracted, PatientSubject } from '../../schemas/events.ts';
import { compactDate } from './dates.ts';
import { foldText, nameReadings, type PersonName } from './names.ts';

/**
 * An identifier as matching compares it. Record numbers (`record-number`, `mrn`) mean something
 * only within the facility that gave them; a CURP is national.
 */
export interface SubjectIdentifier {
  readonly scheme: 'record' | 'curp';
  /** Folded facility name for record numbers, null for a CURP. */
  readonly facility: string | null;
  readonly value: string;
}

/** A subject made ready to compare: folded, parsed, compacted once. */
export interface PreparedSubject {
  readonly facility: string | null;
  readonly identifiers: readonly SubjectIdentifier[];
  readonly names: readonly PersonName[];
  /** `YYYYMMDD` */
  readonly birth: string | null;
  readonly sex: 'F' | 'M' | null;
}

const RECORD_KINDS = new Set(['record-number', 'mrn']);

/** Who the extracted entities say the document's patient is. */
export function subjectOf(data: EntitiesExtracted['data']): PatientSubject {
  return {
    facility: data.facility?.value ?? null,
    identifiers: data.identifiers.map(({ kind, value }) => ({ kind, value })),
    name: data.patientName?.value ?? null,
    surnames: data.patientName?.surnames ?? null,
    givenNames: data.patientName?.givenNames ?? null,
    dateOfBirth: data.dateOfBirth?.value ?? null,
    sex: data.sex?.value ?? null,
  };
}

export function prepareSubject(subject: PatientSubject): PreparedSubject {
  const facility = subject.facility ? foldText(subject.facility) || null : null;
  return {
    facility,
    identifiers: subject.identifiers.flatMap(({ kind, value }) => {
      const identifier = prepareIdentifier(kind, value, facility);
      return identifier ? [identifier] : [];
    }),
    names: nameReadings(subject),
    birth: compactDate(subject.dateOfBirth),
    sex: subject.sex === 'F' || subject.sex === 'M' ? subject.sex : null,
  };
}

function prepareIdentifier(
  kind: string,
  value: string,
  facility: string | null,
): SubjectIdentifier | null {
  const plain = value.toUpperCase().replace(/[^A-Z0-9]/g, '');
  if (RECORD_KINDS.has(kind.toLowerCase())) {
    // Without a facility a record number could be anyone's; leading zeros are print, not data.
    const number = plain.replace(/^0+(?=.)/, '');
    return facility && number ? { scheme: 'record', facility, value: number } : null;
  }
  if (kind.toLowerCase() === 'curp' && plain.length === 18) {
    return { scheme: 'curp', facility: null, value: plain };
  }
  return null;
}

/** Whether the subject says anything matching could go on. */
export const isIdentifiable = (subject: PreparedSubject) =>
  subject.identifiers.length > 0 || subject.names.length > 0;
