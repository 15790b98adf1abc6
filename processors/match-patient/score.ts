import type { FieldEvidence, MatchCandidate } from '../../schemas/events.ts';
import { relateDates } from './dates.ts';
import type { PersonName } from './names.ts';
import { givenNamesAgreement, surnamesAgreement } from './similarity.ts';
import type { PreparedSubject, SubjectIdentifier } from './subject.ts';
import {
  DATE_AGREEMENT,
  DATE_WEIGHTS,
  type NameWeights,
  nameWeight,
  posterior,
  WEIGHTS,
} from './weights.ts';

/** A patient of the index as comparison sees it: every variant it is known by. */
export interface PatientView {
  readonly id: string;
  readonly identifiers: readonly SubjectIdentifier[];
  readonly names: readonly PersonName[];
  /** `YYYYMMDD` */
  readonly births: readonly string[];
  readonly sex: 'F' | 'M' | null;
}

export interface ScoredCandidate extends MatchCandidate {
  /** A record number of the same facility or a CURP is the same on both sides. */
  readonly identifierAgrees: boolean;
  /** The date of birth agrees exactly or within a typical error; false when either lacks it. */
  readonly birthAgrees: boolean;
  /** Date of birth present on both sides and nothing like each other. */
  readonly birthDiffers: boolean;
  /** Mean agreement of the name parts both sides have, null when they share none. */
  readonly nameAgreement: number | null;
}

const round = (value: number) => Math.round(value * 10_000) / 10_000;
const evidence = (field: string, agreement: number | null, weight: number, detail: string) => ({
  field,
  agreement: agreement === null ? null : round(agreement),
  weight: round(weight),
  detail,
});

/** Compares a subject with one patient, field by field, into a Fellegi–Sunter score. */
export function scoreCandidate(subject: PreparedSubject, patient: PatientView): ScoredCandidate {
  const identifiers = identifierEvidence(subject, patient);
  const names = bestNameEvidence(subject.names, patient.names);
  const birth = birthEvidence(subject.birth, patient.births);
  const sex = sexEvidence(subject.sex, patient.sex);
  const fields: FieldEvidence[] = [...identifiers.fields, ...names.fields, birth.field, sex];
  const sum = fields.reduce((total, field) => total + field.weight, 0);
  return {
    patientId: patient.id,
    score: round(posterior(sum)),
    evidence: fields,
    identifierAgrees: identifiers.agrees,
    birthAgrees: birth.agrees,
    birthDiffers: birth.differs,
    nameAgreement: names.agreement,
  };
}

function identifierEvidence(subject: PreparedSubject, patient: PatientView) {
  const fields: FieldEvidence[] = [];
  let agrees = false;
  for (const scheme of ['record', 'curp'] as const) {
    const ours = subject.identifiers.filter((id) => id.scheme === scheme);
    const theirs = patient.identifiers.filter(
      (id) => id.scheme === scheme && ours.some((o) => o.facility === id.facility),
    );
    const field = scheme === 'record' ? 'record-number' : 'curp';
    if (ours.length === 0 || theirs.length === 0) continue;
    if (ours.some((o) => theirs.some((t) => t.value === o.value && t.facility === o.facility))) {
      agrees = true;
      fields.push(
        evidence(field, 1, 0, scheme === 'record' ? 'same facility, same number' : 'same'),
      );
    } else {
      const weight = scheme === 'record' ? WEIGHTS.recordNumberDiffers : WEIGHTS.curpDiffers;
      fields.push(
        evidence(field, 0, weight, scheme === 'record' ? 'same facility, other number' : 'differs'),
      );
    }
  }
  return { fields, agrees };
}

/** The reading of the subject's name and the patient's name variant that agree best. */
function bestNameEvidence(readings: readonly PersonName[], variants: readonly PersonName[]) {
  let best: { fields: FieldEvidence[]; weight: number; agreement: number | null } = {
    fields: [evidence('name', null, 0, 'missing')],
    weight: 0,
    agreement: null,
  };
  let first = true;
  for (const reading of readings) {
    for (const variant of variants) {
      const compared = nameEvidence(reading, variant);
      if (first || compared.weight > best.weight) best = compared;
      first = false;
    }
  }
  return best;
}

function nameEvidence(a: PersonName, b: PersonName) {
  const { paternal, maternal } = surnamesAgreement(a.surnames, b.surnames);
  const given = givenNamesAgreement(a.given, b.given);
  const part = (field: string, agreement: number | null, weights: NameWeights) =>
    agreement === null
      ? evidence(field, null, 0, 'missing on one side')
      : evidence(field, agreement, nameWeight(agreement, weights), describeName(agreement));
  const fields = [
    part('surname', paternal, WEIGHTS.paternalSurname),
    part('maternalSurname', maternal, WEIGHTS.maternalSurname),
    part('givenNames', given, WEIGHTS.givenNames),
  ];
  const present = [paternal, maternal, given].filter((x): x is number => x !== null);
  return {
    fields,
    weight: fields.reduce((total, field) => total + field.weight, 0),
    agreement: present.length ? present.reduce((s, x) => s + x, 0) / present.length : null,
  };
}

const describeName = (agreement: number) =>
  agreement === 1 ? 'same' : agreement >= 0.93 ? 'alike' : agreement > 0.75 ? 'similar' : 'differs';

function birthEvidence(birth: string | null, births: readonly string[]) {
  if (!birth || births.length === 0) {
    return {
      field: evidence('dateOfBirth', null, 0, 'missing on one side'),
      agrees: false,
      differs: false,
    };
  }
  const relations = births.map((other) => relateDates(birth, other));
  const relation = relations.reduce((a, b) => (DATE_WEIGHTS[b] > DATE_WEIGHTS[a] ? b : a));
  return {
    field: evidence('dateOfBirth', DATE_AGREEMENT[relation], DATE_WEIGHTS[relation], relation),
    agrees: relation !== 'different',
    differs: relation === 'different',
  };
}

function sexEvidence(a: 'F' | 'M' | null, b: 'F' | 'M' | null): FieldEvidence {
  if (!a || !b) return evidence('sex', null, 0, 'missing on one side');
  return a === b
    ? evidence('sex', 1, WEIGHTS.sex.agree, 'same')
    : evidence('sex', 0, WEIGHTS.sex.disagree, 'differs');
}
