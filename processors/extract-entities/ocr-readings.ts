/**
 * What OCR makes of the small print of a lab table, read back where only one reading fits. Each
 * rule undoes a confusion seen on scans: a caret read as a digit or a quote, `I` read as `l`, a
 * dotted leader read as a few letters, an arrow read as a stray glyph.
 */

/** `10^3/uL` read as `1073/uL`, `1013/uL`, `10"3/uL`, `103/uL` or `10/3/uL`: no unit is any other. */
const POWER_PER_UL = /^10[\^"'*/°71]?([369])\/[uµ]l$/i;
/** `uIU/mL` read as `ulU/mL`, `u1U/mL` or `u|U/mL`. */
const MICRO_IU_PER_ML = /^[uµ][lI1|]u\/ml$/i;

/** The unit an OCR reading stands for, or null when the reading is no unit we know of. */
export function unitFromOcr(read: string): string | null {
  const power = POWER_PER_UL.exec(read);
  if (power) return `10^${power[1]}/uL`;
  if (MICRO_IU_PER_ML.test(read)) return 'uIU/mL';
  // `U/L` with its slash lost; `uL` alone is no unit a result is given in.
  if (read === 'UL') return 'U/L';
  return null;
}

/**
 * A dotted leader or a pipe between test and value, read as a short run of dots, dashes and the
 * letters they look like (`coi`, `oii`, `——_`, `.`): never a word of a test's name.
 */
const LEADER_DEBRIS = /\s+(?:[.,·…_—–~'"`°:;-]+|[coil][coil.,_—–-]{1,3})$/u;
/** `AIbumin`: a capital `I` where a lower-case `l` was printed, inside a word. */
const CAPITAL_I_FOR_L = /\b(\p{Lu})I(?=\p{Ll}{2})/gu;

/** `HbA1c` read as `HbAlc` or `A1c` as `AIc`. */
const A1C = /\b(Hb)?A[lI]c\b/g;

/** A test's name as printed, without what OCR made of the leader after it. */
export function testNameFromOcr(read: string): string {
  let name = read.trimEnd();
  for (let match = LEADER_DEBRIS.exec(name); match && match.index > 0; ) {
    name = name.slice(0, match.index);
    match = LEADER_DEBRIS.exec(name);
  }
  return name.replace(A1C, '$1A1c').replace(CAPITAL_I_FOR_L, '$1l');
}

/** Lower-case letters and marks only: no bracket, digit or capital that a test's name would have. */
const DEBRIS_ONLY = /^[\p{Ll}\s.,:;=«»·…_—–~'"`°-]+$/u;

/** What follows a leader's surviving points (blanked to a gap): no bracket or digit of a name. */
const AFTER_LEADER = /^\s{2,}[^()[\]\d]+$/u;

/**
 * On a page read by OCR, a test of the vocabulary followed by nothing but lower-case debris
 * (`Hematocrito eeee`, `Platelets said si aaa`), or by a gap where a leader's points were and
 * words with no bracket or digit (`Free T4 ..........ANSI ARO A`), is that test: the rest is a
 * long leader read as words. `analyte` is the vocabulary's test the name starts with, if any.
 */
export function withoutLeaderWords(name: string, analyte: string | null): string {
  if (!analyte || analyte.length === name.length) return name;
  const rest = name.slice(analyte.length);
  return DEBRIS_ONLY.test(rest) || AFTER_LEADER.test(rest) ? analyte : name;
}

/**
 * A lone glyph at the end of a row, in the flag's column: `↑` and `↓` come out of OCR as `T`,
 * `1`, `{`, `+`, `?`… Which arrow it was cannot be told, so it says nothing and the range decides.
 */
export const isUnreadableMark = (cell: string) => /^[{}()1ItTlJ|?+↑↓]$/u.test(cell);
