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
  round,
  type ScoredCandidate,
  scored,
  sexEvidence,
} from './score.ts';
import { DATE_WEIGHTS, posterior, WEIGHTS } from './weights.ts';
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
  readonly slot: number;
  readonly sex: 'F' | 'M' | null;
  readonly pool: Int32Array;
  readonly at: number;
  /** Identifier keys, `;`-separated. */
  readonly keys: string;
}

/**
 * What comparing a stored patient found: its score and what the decision weighs, and the parts
 * its evidence is written from, so that only the candidates a decision shows have it written.
 */
export class Rating {
  readonly score: number;

  constructor(
    readonly slot: number,
    readonly record: FieldEvidence | null,
    readonly curp: FieldEvidence | null,
    /** Null when the two share no name. */
    readonly names: NameAgreements | null,
    readonly birth: FieldEvidence,
    readonly sex: FieldEvidence,
  ) {
    // The weights added in the order of the evidence, as `scored` adds them.
    let sum = 0;
    if (record) sum += record.weight;
    if (curp) sum += curp.weight;
    if (names) {
      sum += partWeight(names.paternal, WEIGHTS.paternalSurname);
      sum += partWeight(names.maternal, WEIGHTS.maternalSurname);
      sum += partWeight(names.given, WEIGHTS.givenNames);
    }
    sum += birth.weight;
    sum += sex.weight;
    this.score = round(posterior(sum));
  }

  get identifierAgrees(): boolean {
    return this.record === IDENTIFIER_EVIDENCE['record-number'].same || this.curp === SAME_CURP;
  }

  /** The candidate `scoreCandidate` makes of the same patient, with its evidence written. */
  candidate(patientId: string): ScoredCandidate {
    const fields: FieldEvidence[] = [];
    if (this.record) fields.push(this.record);
    if (this.curp) fields.push(this.curp);
    const { names } = this;
    if (names) {
      fields.push(
        namePart('surname', names.paternal, WEIGHTS.paternalSurname),
        namePart('maternalSurname', names.maternal, WEIGHTS.maternalSurname),
        namePart('givenNames', names.given, WEIGHTS.givenNames),
      );
    } else fields.push(NAME_MISSING);
    fields.push(this.birth, this.sex);
    const nameAgreement = names ? meanAgreement(names.paternal, names.maternal, names.given) : null;
    return scored(patientId, fields, this.identifierAgrees, this.birth, nameAgreement);
  }
}

interface NameAgreements {
  readonly paternal: number | null;
  readonly maternal: number | null;
  readonly given: number | null;
}

const SAME_CURP = IDENTIFIER_EVIDENCE.curp.same;

/**
 * `scoreCandidate` on a stored patient, without reading the patient out of the store: the same
 * evidence, in the same order, summed the same way, so the same score to the last bit.
 */
export function rateStored(
  subject: NumberedSubject,
  patient: StoredPatient,
  words: WordComparer,
): Rating {
  const identifiers = subject.identifiers
    ? identifierFields(subject.identifiers, patient.keys)
    : NO_KEYS;
  return new Rating(
    patient.slot,
    identifiers.record,
    identifiers.curp,
    nameFields(subject.names, patient.pool, patient.at, words),
    birthField(subject, patient.pool, patient.at),
    sexEvidence(subject.sex, patient.sex),
  );
}

interface KeyEvidence {
  readonly record: FieldEvidence | null;
  readonly curp: FieldEvidence | null;
}

const NO_KEYS: KeyEvidence = { record: null, curp: null };

/**
 * The record numbers', then the CURPs' evidence, when both sides have some. The patient's keys are
 * read where they lie in the string, without splitting it.
 */
function identifierFields(ours: SubjectKeys, keys: string): KeyEvidence {
  if (keys === '') return NO_KEYS;
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
  if (!records && !curps) return NO_KEYS;
  return {
    record: records ? IDENTIFIER_EVIDENCE['record-number'][sameRecord ? 'same' : 'other'] : null,
    curp: curps ? IDENTIFIER_EVIDENCE.curp[sameCurp ? 'same' : 'other'] : null,
  };
}

/** Whether the key at `start` is of facility `facility` (`r3` of `r3:4471`). */
const isFacilityOf = (keys: string, start: number, facility: string) =>
  keys.startsWith(facility, start) && keys.charCodeAt(start + facility.length) === COLON;
const isKeyAt = (keys: string, start: number, end: number, key: string) =>
  end - start === key.length && keys.startsWith(key, start);
const COLON = ':'.charCodeAt(0);

/** The agreements of the reading and variant that agree best (the first among equals). */
function nameFields(
  names: Int32Array,
  pool: Int32Array,
  at: number,
  words: WordComparer,
): NameAgreements | null {
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
  return found ? { paternal, maternal, given } : null;
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
