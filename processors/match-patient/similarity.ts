import { jaroWinkler } from '@skyra/jaro-winkler';
import { COMMON_GIVEN_NAMES, canonicalGivenName, spelledShortFormsOf } from './nicknames.ts';
import { soundsAlike } from './phonetic.ts';

/** How much an initial (`J.`) agrees with a name it could stand for. */
const INITIAL_AGREEMENT = 0.85;
/** Words that sound alike agree at least this much, however they are spelled. */
const SOUND_AGREEMENT = 0.94;

/** Sounding alike lifts only spellings at least this close: short keys collide by chance. */
const SOUND_NEEDS_SPELLING = 0.85;
/** `Juan`/`Juana`, `Mario`/`María`, `Adrián`/`Adriana`: a gender ending makes another name. */
const OTHER_GENDER_AGREEMENT = 0.6;

/**
 * 0..1 agreement of two folded name words: equal, initial, else Jaro-Winkler, lifted when the
 * two sound alike and are spelled close enough for that to mean something.
 */
export function wordAgreement(a: string, b: string, bySound = true): number {
  if (a === b) return 1;
  return bySound ? wordAgreementBySound(a, b) : spelledAgreement(a, b, false);
}

/** `wordAgreement`, worked out afresh: for callers that remember pairs their own way. */
export const freshWordAgreement = (a: string, b: string): number =>
  a === b ? 1 : spelledAgreement(a, b, true);

function spelledAgreement(a: string, b: string, bySound: boolean): number {
  if (a.length === 1 || b.length === 1) return a[0] === b[0] ? INITIAL_AGREEMENT : 0;
  const jw = similarSpelling(a, b);
  return bySound && jw >= SOUND_NEEDS_SPELLING && soundsAlike(a, b)
    ? Math.max(SOUND_AGREEMENT, jw)
    : jw;
}

const wordAgreementBySound = remembered(freshWordAgreement);

/**
 * Remembers a pure comparison of two words: a tenant's patients share a small vocabulary, so the
 * same pairs come back decision after decision. Forgets everything past `limit` pairs.
 */
function remembered(compare: (a: string, b: string) => number, limit = 200_000) {
  let known = new Map<string, Map<string, number>>();
  let size = 0;
  return (a: string, b: string): number => {
    let row = known.get(a);
    const found = row?.get(b);
    if (found !== undefined) return found;
    const value = compare(a, b);
    if (size >= limit) {
      known = new Map();
      size = 0;
      row = undefined;
    }
    if (!row) {
      row = new Map();
      known.set(a, row);
    }
    row.set(b, value);
    size++;
    return value;
  };
}

/**
 * Jaro-Winkler, without its bonus for a shared start when the lengths differ by three or more:
 * `Maricela` is not a longer `María`.
 */
function similarSpelling(a: string, b: string): number {
  const jw = jaroWinkler(a, b);
  if (Math.abs(a.length - b.length) < 3) return jw;
  let prefix = 0;
  while (prefix < 4 && a[prefix] === b[prefix]) prefix++;
  return (jw - 0.1 * prefix) / (1 - 0.1 * prefix);
}

/**
 * A given name agrees as written, as the full name its abbreviation or nickname stands for, or
 * with one of the other's short forms (`Biil` is a mistyped `Bill`, which is William).
 */
export const givenNameAgreement = remembered((a: string, b: string) =>
  givenAgreementOf(a, b, wordAgreement(a, b), SPELLED_WORDS),
);

/** Name words as `givenAgreementOf` reads them: strings here, numbers in the patient store. */
export interface NameWords<W> {
  spelling(word: W): string;
  /** `wordAgreement` of the two. */
  agreement(a: W, b: W): number;
  /** `canonicalGivenName` */
  canonical(word: W): W;
  /** The short forms of a full name that are longer than two letters. */
  shortForms(name: W): readonly W[];
}

const SPELLED_WORDS: NameWords<string> = {
  spelling: (word) => word,
  agreement: (a, b) => wordAgreement(a, b),
  canonical: canonicalGivenName,
  shortForms: spelledShortFormsOf,
};

/** `givenNameAgreement` of two words whose `wordAgreement` is `written`, worked out afresh. */
export function givenAgreementOf<W>(a: W, b: W, written: number, words: NameWords<W>): number {
  if (written === 1) return written;
  if (otherGender(words.spelling(a), words.spelling(b))) return OTHER_GENDER_AGREEMENT;
  const fullA = words.canonical(a);
  const fullB = words.canonical(b);
  const full = fullA === a && fullB === b ? written : words.agreement(fullA, fullB);
  let best = Math.max(written, full);
  for (const form of words.shortForms(fullB)) best = Math.max(best, words.agreement(a, form));
  for (const form of words.shortForms(fullA)) best = Math.max(best, words.agreement(form, b));
  return best;
}

/**
 * Agreement of two lists of given names. Each name of the shorter list takes its best partner in
 * the longer; a common name (`María`, `José`) counts less, so `María Guadalupe` and `María
 * Fernanda` disagree. Names left over cost a little: people drop a middle name more often than
 * they gain one, but `José` and `José Luis` may be father and son.
 */
export function givenNamesAgreement(a: readonly string[], b: readonly string[]): number | null {
  if (a.length === 0 || b.length === 0) return null;
  const [shorter, longer] = a.length <= b.length ? [a, b] : [b, a];
  const used = new Uint8Array(longer.length);
  let total = 0;
  let weights = 0;
  for (const word of shorter) {
    let best = 0;
    let bestAt = -1;
    for (let at = 0; at < longer.length; at++) {
      if (used[at]) continue;
      const agreement = givenNameAgreement(word, longer[at] as string);
      if (agreement > best) [best, bestAt] = [agreement, at];
    }
    if (bestAt >= 0) used[bestAt] = 1;
    const weight = COMMON_GIVEN_NAMES.has(canonicalGivenName(word)) ? 0.4 : 1;
    total += best * weight;
    weights += weight;
  }
  return (total / weights) * (1 - leftOverPenalty(longer, used));
}

/** Names of the longer list nobody matched; a missing first name costs most, a common one least. */
function leftOverPenalty(longer: readonly string[], used: Uint8Array): number {
  let penalty = 0;
  for (let at = 0; at < longer.length; at++) {
    if (used[at]) continue;
    const common = COMMON_GIVEN_NAMES.has(canonicalGivenName(longer[at] as string));
    penalty += common ? 0.04 : at === 0 ? 0.2 : 0.08;
  }
  return penalty;
}

function otherGender(a: string, b: string): boolean {
  if (a.length !== b.length) {
    const [shorter, longer] = a.length < b.length ? [a, b] : [b, a];
    return (
      longer.length === shorter.length + 1 && longer.endsWith('A') && longer.startsWith(shorter)
    );
  }
  const last = a.length - 1;
  return last >= 0 && isAorO(a, last) && isAorO(b, last) && a.startsWith(b.slice(0, last));
}

const isAorO = (word: string, at: number) => word[at] === 'A' || word[at] === 'O';

/**
 * Paternal (first word) and maternal (last word) surname agreement; the maternal is null when
 * either side has a single surname.
 */
export function surnamesAgreement(
  a: readonly string[],
  b: readonly string[],
): { paternal: number | null; maternal: number | null } {
  const [paternalA, paternalB] = [a[0], b[0]];
  const maternalA = a.length > 1 ? a.at(-1) : undefined;
  const maternalB = b.length > 1 ? b.at(-1) : undefined;
  return {
    paternal: paternalA && paternalB ? wordAgreement(paternalA, paternalB) : null,
    maternal: maternalA && maternalB ? wordAgreement(maternalA, maternalB) : null,
  };
}
