import { PairMemo } from './compact.ts';
import { COMMON_GIVEN_NAMES, canonicalGivenName, spelledShortFormsOf } from './nicknames.ts';
import { freshWordAgreement, givenAgreementOf, type NameWords } from './similarity.ts';

/** Subjects' words missing from the vocabulary are numbered until this many, then forgotten. */
const MAX_SUBJECT_WORDS = 20_000;
const UNKNOWN = 0;
const COMMON = 1;
const UNCOMMON = 2;

/**
 * Compares the name words of one tenant by their numbers in its vocabulary: each pair is worked
 * out once by similarity.ts and then read from typed arrays, so comparing a candidate allocates
 * nothing. A subject's word the vocabulary lacks (a typo, a newcomer's name) is numbered below
 * zero, apart from the vocabulary, so the patients' words are never polluted by queries.
 */
export class WordComparer implements NameWords<number> {
  private readonly spelled = new PairMemo();
  private readonly given = new PairMemo();
  private commonness = new Uint8Array(1024);
  private readonly subjectIds = new Map<string, number>();
  private readonly subjectWords: string[] = [];
  private used = new Uint8Array(8);
  /** Per word, its full given name's number; per full name, its short forms' numbers. */
  private readonly canonicals = new Map<number, number>();
  private readonly forms = new Map<number, readonly number[]>();

  constructor(
    private readonly vocabulary: readonly string[],
    private readonly wordIds: ReadonlyMap<string, number>,
  ) {}

  /** Called before a subject's words are numbered, never while a subject is compared. */
  startSubject(): void {
    if (this.subjectWords.length < MAX_SUBJECT_WORDS) return;
    this.subjectIds.clear();
    this.subjectWords.length = 0;
    this.spelled.clear();
    this.given.clear();
    this.canonicals.clear();
    this.forms.clear();
  }

  /** The word's vocabulary number, else its (negative) number as a subject's word. */
  numberOf(word: string): number {
    const known = this.wordIds.get(word);
    if (known !== undefined) return known;
    let id = this.subjectIds.get(word);
    if (id === undefined) {
      id = -this.subjectWords.push(word);
      this.subjectIds.set(word, id);
    }
    return id;
  }

  wordOf(id: number): string {
    return (id >= 0 ? this.vocabulary[id] : this.subjectWords[-id - 1]) as string;
  }

  spelling(id: number): string {
    return this.wordOf(id);
  }

  canonical(id: number): number {
    let canonical = this.canonicals.get(id);
    if (canonical === undefined) {
      canonical = this.numberOf(canonicalGivenName(this.wordOf(id)));
      this.canonicals.set(id, canonical);
    }
    return canonical;
  }

  shortForms(name: number): readonly number[] {
    let forms = this.forms.get(name);
    if (forms === undefined) {
      forms = spelledShortFormsOf(this.wordOf(name)).map((form) => this.numberOf(form));
      this.forms.set(name, forms);
    }
    return forms;
  }

  /** `wordAgreement` of the two words. */
  agreement(a: number, b: number): number {
    if (a === b) return 1;
    let value = this.spelled.get(a, b);
    if (Number.isNaN(value)) {
      value = freshWordAgreement(this.wordOf(a), this.wordOf(b));
      this.spelled.set(a, b, value);
    }
    return value;
  }

  /** `surnamesAgreement(…).paternal` of two surname lists at `aAt` and `bAt` (count first). */
  paternal(a: Int32Array, aAt: number, b: Int32Array, bAt: number): number | null {
    if (a[aAt] === 0 || b[bAt] === 0) return null;
    return this.agreement(a[aAt + 1] as number, b[bAt + 1] as number);
  }

  /** `surnamesAgreement(…).maternal`: the last words, when both lists have two or more. */
  maternal(a: Int32Array, aAt: number, b: Int32Array, bAt: number): number | null {
    const aLength = a[aAt] as number;
    const bLength = b[bAt] as number;
    if (aLength < 2 || bLength < 2) return null;
    return this.agreement(a[aAt + aLength] as number, b[bAt + bLength] as number);
  }

  /** `givenNamesAgreement` of two counted lists, step for step, so the result is the same number. */
  givenNames(a: Int32Array, aAt: number, b: Int32Array, bAt: number): number | null {
    const aLength = a[aAt] as number;
    const bLength = b[bAt] as number;
    if (aLength === 0 || bLength === 0) return null;
    // Plain variables rather than destructured pairs: this runs for every candidate and reading.
    let shorter = a;
    let shorterAt = aAt;
    let shorterLength = aLength;
    let longer = b;
    let longerAt = bAt;
    let longerLength = bLength;
    if (aLength > bLength) {
      shorter = b;
      shorterAt = bAt;
      shorterLength = bLength;
      longer = a;
      longerAt = aAt;
      longerLength = aLength;
    }
    if (this.used.length < longerLength) this.used = new Uint8Array(longerLength);
    const used = this.used.fill(0, 0, longerLength);
    let total = 0;
    let weights = 0;
    for (let i = 1; i <= shorterLength; i++) {
      const word = shorter[shorterAt + i] as number;
      let best = 0;
      let bestAt = -1;
      for (let at = 0; at < longerLength; at++) {
        if (used[at]) continue;
        const agreement = this.givenAgreement(word, longer[longerAt + 1 + at] as number);
        if (agreement > best) {
          best = agreement;
          bestAt = at;
        }
      }
      if (bestAt >= 0) used[bestAt] = 1;
      const weight = this.isCommon(word) ? 0.4 : 1;
      total += best * weight;
      weights += weight;
    }
    let penalty = 0;
    for (let at = 0; at < longerLength; at++) {
      if (used[at]) continue;
      const common = this.isCommon(longer[longerAt + 1 + at] as number);
      penalty += common ? 0.04 : at === 0 ? 0.2 : 0.08;
    }
    return (total / weights) * (1 - penalty);
  }

  private givenAgreement(a: number, b: number): number {
    let value = this.given.get(a, b);
    if (Number.isNaN(value)) {
      value = givenAgreementOf(a, b, this.agreement(a, b), this);
      this.given.set(a, b, value);
    }
    return value;
  }

  private isCommon(id: number): boolean {
    if (id < 0) return COMMON_GIVEN_NAMES.has(canonicalGivenName(this.wordOf(id)));
    if (id >= this.commonness.length) {
      const grown = new Uint8Array(Math.max(id + 1, this.commonness.length * 2));
      grown.set(this.commonness);
      this.commonness = grown;
    }
    let known = this.commonness[id] as number;
    if (known === UNKNOWN) {
      known = COMMON_GIVEN_NAMES.has(canonicalGivenName(this.wordOf(id))) ? COMMON : UNCOMMON;
      this.commonness[id] = known;
    }
    return known === COMMON;
  }
}
