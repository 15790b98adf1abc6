import { doubleMetaphone } from 'double-metaphone';

/**
 * A sound key for a folded upper-case word, written for Spanish spelling, where double metaphone
 * is weak (it keys JIMENEZ, XIMENEZ and GIMENEZ three ways, and GARCIA like CRUZ): H is silent,
 * B/V, S/Z/soft C, Y/LL, J/soft G/X before a vowel sound alike, QU and hard C are K. Vowels after
 * the first letter are dropped and repeats collapsed, so a one-vowel typo keeps the key.
 */
export function soundKey(word: string): string {
  let key = SOUND_KEYS.get(word);
  if (key === undefined) {
    key = spellSoundKey(word);
    if (SOUND_KEYS.size >= MAX_SOUND_KEYS) SOUND_KEYS.clear();
    SOUND_KEYS.set(word, key);
  }
  return key;
}

/** Keys of words seen lately: a tenant's names come back, and the key takes a dozen regexps. */
const SOUND_KEYS = new Map<string, string>();
const MAX_SOUND_KEYS = 100_000;

function spellSoundKey(word: string): string {
  // `%` holds CH/SH and `&` the hard G of GUE/GUI until the key is written.
  const spelled = word
    .replace(/[^A-Z]/g, '')
    .replace(/^X(?=[AEIOU])/, 'J')
    .replace(/CH/g, '%')
    .replace(/SH/g, '%')
    .replace(/PH/g, 'F')
    .replace(/H/g, '')
    .replace(/QU(?=[EI])/g, 'K')
    .replace(/GU(?=[EI])/g, '&')
    .replace(/G(?=[EI])/g, 'J')
    .replace(/C(?=[EI])/g, 'S')
    .replace(/[CQ]/g, 'K')
    .replace(/[ZX]/g, 'S')
    .replace(/V/g, 'B')
    .replace(/W/g, 'U')
    .replace(/LL/g, 'Y')
    .replace(/Y(?![AEIOU])/g, 'I');
  if (spelled.length === 0) return '';
  const [first, ...rest] = spelled;
  const consonants = rest.filter((ch) => !'AEIOU'.includes(ch));
  let key = first as string;
  for (const ch of consonants) if (key.at(-1) !== ch) key += ch;
  return key.replace(/%/g, 'C').replace(/&/g, 'G');
}

/** Whether two words sound alike by our Spanish key or by double metaphone's primary code. */
export function soundsAlike(a: string, b: string): boolean {
  if (soundKey(a) === soundKey(b)) return true;
  const primaryA = metaphoneOf(a);
  return primaryA.length > 1 && primaryA === metaphoneOf(b);
}

/** Double metaphone's primary code, remembered like the sound keys. */
function metaphoneOf(word: string): string {
  let primary = METAPHONES.get(word);
  if (primary === undefined) {
    [primary] = doubleMetaphone(word);
    if (METAPHONES.size >= MAX_SOUND_KEYS) METAPHONES.clear();
    METAPHONES.set(word, primary);
  }
  return primary;
}

const METAPHONES = new Map<string, string>();
