import type { FieldEvidence, MatchCandidate } from '../../schemas/events.ts';
import { type DateRelation, relateDates } from './dates.ts';
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

export const round = (value: number) => Math.round(value * 10_000) / 10_000;
export const evidence = (
  field: string,
  agreement: number | null,
  weight: number,
  detail: string,
) => ({
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
  return scored(patient.id, fields, identifiers.agrees, birth.field, names.agreement);
}

/** The candidate its fields' evidence makes, the weights summed in the order of the fields. */
export function scored(
  patientId: string,
  fields: FieldEvidence[],
  identifierAgrees: boolean,
  birth: FieldEvidence,
  nameAgreement: number | null,
): ScoredCandidate {
  let sum = 0;
  for (const field of fields) sum += field.weight;
  return {
    patientId,
    score: round(posterior(sum)),
    evidence: fields,
    identifierAgrees,
    birthAgrees: birth !== BIRTH_MISSING && birth !== BIRTH_EVIDENCE.different,
    birthDiffers: birth === BIRTH_EVIDENCE.different,
    nameAgreement,
  };
}

export const NO_IDENTIFIERS = { fields: [] as readonly FieldEvidence[], agrees: false };

function identifierEvidence(subject: PreparedSubject, patient: PatientView) {
  if (subject.identifiers.length === 0) return NO_IDENTIFIERS;
  const fields: FieldEvidence[] = [];
  let agrees = false;
  for (const scheme of ['record', 'curp'] as const) {
    const ours = subject.identifiers.filter((id) => id.scheme === scheme);
    if (ours.length === 0) continue;
    const theirs = patient.identifiers.filter(
      (id) => id.scheme === scheme && ours.some((o) => o.facility === id.facility),
    );
    const field = scheme === 'record' ? 'record-number' : 'curp';
    if (ours.length === 0 || theirs.length === 0) continue;
    if (ours.some((o) => theirs.some((t) => t.value === o.value && t.facility === o.facility))) {
      agrees = true;
      fields.push(IDENTIFIER_EVIDENCE[field].same);
    } else fields.push(IDENTIFIER_EVIDENCE[field].other);
  }
  return { fields, agrees };
}

export const IDENTIFIER_EVIDENCE = {
  'record-number': {
    same: evidence('record-number', 1, 0, 'same facility, same number'),
    other: evidence('record-number', 0, WEIGHTS.recordNumberDiffers, 'same facility, other number'),
  },
  curp: {
    same: evidence('curp', 1, 0, 'same'),
    other: evidence('curp', 0, WEIGHTS.curpDiffers, 'differs'),
  },
} as const;

/**
 * The reading of the subject's name and the patient's name variant that agree best. Weights are
 * compared as numbers first; evidence is written only for the pair that wins.
 */
function bestNameEvidence(readings: readonly PersonName[], variants: readonly PersonName[]) {
  let best: NameComparison | null = null;
  for (const reading of readings) {
    for (const variant of variants) {
      const compared = compareNames(reading, variant);
      if (best === null || compared.weight > best.weight) best = compared;
    }
  }
  if (best === null) return { fields: [NAME_MISSING], weight: 0, agreement: null };
  const { paternal, maternal, given } = best;
  return {
    fields: [
      namePart('surname', paternal, WEIGHTS.paternalSurname),
      namePart('maternalSurname', maternal, WEIGHTS.maternalSurname),
      namePart('givenNames', given, WEIGHTS.givenNames),
    ],
    weight: best.weight,
    agreement: meanAgreement(paternal, maternal, given),
  };
}

export const NAME_MISSING = evidence('name', null, 0, 'missing');

/** The mean of the name parts' agreements both sides have, null when they share none. */
export function meanAgreement(
  paternal: number | null,
  maternal: number | null,
  given: number | null,
): number | null {
  const present = [paternal, maternal, given].filter(isNumber);
  return present.length ? present.reduce(sum, 0) / present.length : null;
}

interface NameComparison {
  readonly paternal: number | null;
  readonly maternal: number | null;
  readonly given: number | null;
  /** The sum of the three parts' rounded weights, as their evidence adds up. */
  readonly weight: number;
}

function compareNames(a: PersonName, b: PersonName): NameComparison {
  const { paternal, maternal } = surnamesAgreement(a.surnames, b.surnames);
  const given = givenNamesAgreement(a.given, b.given);
  const weight =
    0 +
    partWeight(paternal, WEIGHTS.paternalSurname) +
    partWeight(maternal, WEIGHTS.maternalSurname) +
    partWeight(given, WEIGHTS.givenNames);
  return { paternal, maternal, given, weight };
}

export const partWeight = (agreement: number | null, weights: NameWeights) =>
  agreement === null ? 0 : round(nameWeight(agreement, weights));

/** A name part's evidence; the commonest (the same on both sides, or missing) is made once. */
export function namePart(field: string, agreement: number | null, weights: NameWeights) {
  if (agreement === null || agreement === 1) {
    let made = COMMON_NAME_PARTS.get(field);
    if (!made) {
      made = {
        missing: evidence(field, null, 0, 'missing on one side'),
        same: evidence(field, 1, nameWeight(1, weights), describeName(1)),
      };
      COMMON_NAME_PARTS.set(field, made);
    }
    return agreement === null ? made.missing : made.same;
  }
  return evidence(field, agreement, nameWeight(agreement, weights), describeName(agreement));
}

const COMMON_NAME_PARTS = new Map<string, { missing: FieldEvidence; same: FieldEvidence }>();

const isNumber = (x: number | null): x is number => x !== null;
const sum = (total: number, x: number) => total + x;

const describeName = (agreement: number) =>
  agreement === 1 ? 'same' : agreement >= 0.93 ? 'alike' : agreement > 0.75 ? 'similar' : 'differs';

export const BIRTH_EVIDENCE = Object.fromEntries(
  Object.entries(DATE_WEIGHTS).map(([relation, weight]) => [
    relation,
    evidence('dateOfBirth', DATE_AGREEMENT[relation as DateRelation], weight, relation),
  ]),
) as Record<DateRelation, FieldEvidence>;

function birthEvidence(birth: string | null, births: readonly string[]) {
  if (!birth || births.length === 0) return { field: BIRTH_MISSING };
  let relation = relateDates(birth, births[0] as string);
  for (let i = 1; i < births.length; i++) {
    const other = relateDates(birth, births[i] as string);
    if (DATE_WEIGHTS[other] > DATE_WEIGHTS[relation]) relation = other;
  }
  return { field: BIRTH_EVIDENCE[relation] };
}

export const BIRTH_MISSING = evidence('dateOfBirth', null, 0, 'missing on one side');

// Evidence that does not depend on the pair compared is made once; events only read it.
const SEX_MISSING = evidence('sex', null, 0, 'missing on one side');
const SEX_SAME = evidence('sex', 1, WEIGHTS.sex.agree, 'same');
const SEX_DIFFERS = evidence('sex', 0, WEIGHTS.sex.disagree, 'differs');

export function sexEvidence(a: 'F' | 'M' | null, b: 'F' | 'M' | null): FieldEvidence {
  if (!a || !b) return SEX_MISSING;
  return a === b ? SEX_SAME : SEX_DIFFERS;
}
