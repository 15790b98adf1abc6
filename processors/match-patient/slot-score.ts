import type { FieldEvidence } from '../../schemas/events.ts';
import { relateDateNumbers } from './dates.ts';
import {
  BIRTH_EVIDENCE,
  BIRTH_MISSING,
  IDENTIFIER_EVIDENCE,
  meanAgreement,
  NAME_MISSING,
  namePart,
  partWeight,
  type ScoredCandidate,
  scored,
  sexEvidence,
} from './score.ts';
import { DATE_WEIGHTS, WEIGHTS } from './weights.ts';
import type { WordComparer } from './word-comparer.ts';

/** A subject numbered like the store's patients, made once per decision. */
export interface NumberedSubject {
  /** `readings, (surnames, words…, given, words…)…`, as a patient's names are in the pool. */
  readonly names: Int32Array;
  /** `YYYYMMDD` */
  readonly birth: string | null;
  /** The birth as a number (`19800307`), as the store holds dates; -1 when there is none. */
  readonly birthNumber: number;
  readonly sex: 'F' | 'M' | null;
  /** The store's keys of the subject's identifiers; null when it has none. */
  readonly identifiers: SubjectKeys | null;
}

export interface SubjectKeys {
  /** `r3:4471`: record numbers of facilities the store knows (no patient has another's). */
  readonly records: readonly string[];
  /** `r3`: those keys' facility parts. */
  readonly facilities: readonly string[];
  /** `c:<CURP>` */
  readonly curps: readonly string[];
}

/** A patient as the store holds it: names (as word numbers) and births from `at` in the pool. */
export interface StoredPatient {
  readonly id: string;
  readonly sex: 'F' | 'M' | null;
  readonly pool: Int32Array;
  readonly at: number;
  /** Identifier keys, `;`-separated. */
  readonly keys: string;
}

/**
 * `scoreCandidate` on a stored patient, without reading the patient out of the store: the same
 * evidence, in the same order, summed the same way, so the same score to the last bit.
 */
export function scoreStored(
  subject: NumberedSubject,
  patient: StoredPatient,
  words: WordComparer,
): ScoredCandidate {
  const fields: FieldEvidence[] = [];
  const identifierAgrees = subject.identifiers
    ? identifierFields(subject.identifiers, patient.keys, fields)
    : false;
  const nameAgreement = nameFields(subject.names, patient.pool, patient.at, words, fields);
  const birth = birthField(subject, patient.pool, patient.at);
  fields.push(birth, sexEvidence(subject.sex, patient.sex));
  return scored(patient.id, fields, identifierAgrees, birth, nameAgreement);
}

/**
 * The record numbers, then the CURPs, both sides have; answers whether one is the same. The
 * patient's keys are read where they lie in the string, without splitting it.
 */
function identifierFields(ours: SubjectKeys, keys: string, fields: FieldEvidence[]): boolean {
  if (keys === '') return false;
  let records = false;
  let sameRecord = false;
  let curps = false;
  let sameCurp = false;
  for (let start = 0; start <= keys.length; ) {
    let end = keys.indexOf(';', start);
    if (end < 0) end = keys.length;
    if (ours.records.length > 0 && ours.facilities.some((f) => isFacilityOf(keys, start, f))) {
      records = true;
      sameRecord ||= ours.records.some((key) => isKeyAt(keys, start, end, key));
    }
    if (ours.curps.length > 0 && keys.startsWith('c:', start)) {
      curps = true;
      sameCurp ||= ours.curps.some((key) => isKeyAt(keys, start, end, key));
    }
    start = end + 1;
  }
  if (records) fields.push(IDENTIFIER_EVIDENCE['record-number'][sameRecord ? 'same' : 'other']);
  if (curps) fields.push(IDENTIFIER_EVIDENCE.curp[sameCurp ? 'same' : 'other']);
  return sameRecord || sameCurp;
}

/** Whether the key at `start` is of facility `facility` (`r3` of `r3:4471`). */
const isFacilityOf = (keys: string, start: number, facility: string) =>
  keys.startsWith(facility, start) && keys.charCodeAt(start + facility.length) === COLON;
const isKeyAt = (keys: string, start: number, end: number, key: string) =>
  end - start === key.length && keys.startsWith(key, start);
const COLON = ':'.charCodeAt(0);

/** The evidence of the reading and variant that agree best (the first among equals). */
function nameFields(
  names: Int32Array,
  pool: Int32Array,
  at: number,
  words: WordComparer,
  fields: FieldEvidence[],
): number | null {
  const readings = names[0] as number;
  const variants = pool[at] as number;
  let found = false;
  let bestWeight = 0;
  let paternal: number | null = null;
  let maternal: number | null = null;
  let given: number | null = null;
  let readingAt = 1;
  for (let r = 0; r < readings; r++) {
    const readingGivenAt = readingAt + 1 + (names[readingAt] as number);
    let variantAt = at + 1;
    for (let v = 0; v < variants; v++) {
      const variantGivenAt = variantAt + 1 + (pool[variantAt] as number);
      const p = words.paternal(names, readingAt, pool, variantAt);
      const m = words.maternal(names, readingAt, pool, variantAt);
      const g = words.givenNames(names, readingGivenAt, pool, variantGivenAt);
      const weight =
        0 +
        partWeight(p, WEIGHTS.paternalSurname) +
        partWeight(m, WEIGHTS.maternalSurname) +
        partWeight(g, WEIGHTS.givenNames);
      if (!found || weight > bestWeight) {
        found = true;
        bestWeight = weight;
        paternal = p;
        maternal = m;
        given = g;
      }
      variantAt = variantGivenAt + 1 + (pool[variantGivenAt] as number);
    }
    readingAt = readingGivenAt + 1 + (names[readingGivenAt] as number);
  }
  if (!found) {
    fields.push(NAME_MISSING);
    return null;
  }
  fields.push(
    namePart('surname', paternal, WEIGHTS.paternalSurname),
    namePart('maternalSurname', maternal, WEIGHTS.maternalSurname),
    namePart('givenNames', given, WEIGHTS.givenNames),
  );
  return meanAgreement(paternal, maternal, given);
}

function birthField(subject: NumberedSubject, pool: Int32Array, at: number): FieldEvidence {
  const { birth, birthNumber } = subject;
  let birthsAt = at + 1;
  for (let v = pool[at] as number; v > 0; v--) {
    birthsAt += 1 + (pool[birthsAt] as number);
    birthsAt += 1 + (pool[birthsAt] as number);
  }
  const births = pool[birthsAt] as number;
  if (!birth || births === 0) return BIRTH_MISSING;
  let relation = relateDateNumbers(birthNumber, pool[birthsAt + 1] as number);
  for (let i = 2; i <= births; i++) {
    const other = relateDateNumbers(birthNumber, pool[birthsAt + i] as number);
    if (DATE_WEIGHTS[other] > DATE_WEIGHTS[relation]) relation = other;
  }
  return BIRTH_EVIDENCE[relation];
}
