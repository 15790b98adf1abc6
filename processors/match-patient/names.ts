/**
 * One reading of a person's name: surname words, paternal first and maternal last (`Montes de Oca
 * Soto` is MONTES OCA SOTO), and given names, folded words as written (nicknames kept).
 */
export interface PersonName {
  readonly surnames: readonly string[];
  readonly given: readonly string[];
}

/**
 * Words that join compound names (`de la Cruz`, `María de los Ángeles`, `Pérez y López`). Records
 * keep or drop them at will, so they are dropped on both sides before comparing.
 */
const PARTICLES = new Set(['DE', 'DEL', 'LA', 'LAS', 'LOS', 'Y', 'E', 'VAN', 'VON', 'DA', 'DI']);

/** Upper case, accents folded (Ñ to N), apostrophes closed up, other punctuation to spaces. */
export function foldText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/['’`]/g, '')
    .replace(/[^A-Z0-9]+/g, ' ')
    .trim();
}

/** The words of a name part that say something: folded, particles dropped. */
export function nameWords(text: string | null): string[] {
  if (!text) return [];
  return foldText(text)
    .split(' ')
    .filter((word) => word.length > 0 && !PARTICLES.has(word) && !/\d/.test(word));
}

/** Three surname words (`Montes de Oca Soto`) and three given names bound an unlabelled split. */
const MAX_SURNAMES = 3;
const MAX_GIVEN = 3;

/**
 * The ways a subject's name can be read. Labelled parts or `SURNAMES, NAMES` give one reading;
 * a bare `Ana Pérez López` or `PEREZ LOPEZ ANA` gives every plausible split in either order, and
 * comparison keeps the reading that fits the candidate best.
 */
export function nameReadings(parts: {
  name: string | null;
  surnames: string | null;
  givenNames: string | null;
}): PersonName[] {
  if (parts.surnames || parts.givenNames) {
    return [{ surnames: nameWords(parts.surnames), given: nameWords(parts.givenNames) }];
  }
  if (!parts.name) return [];
  const comma = parts.name.indexOf(',');
  if (comma >= 0) {
    return [
      {
        surnames: nameWords(parts.name.slice(0, comma)),
        given: nameWords(parts.name.slice(comma + 1)),
      },
    ];
  }
  const words = nameWords(parts.name);
  if (words.length === 0) return [];
  if (words.length === 1) return [{ surnames: words, given: [] }];
  const readings: PersonName[] = [];
  for (let split = 1; split < words.length; split++) {
    const head = words.slice(0, split);
    const tail = words.slice(split);
    if (head.length <= MAX_GIVEN && tail.length <= MAX_SURNAMES) {
      readings.push({ surnames: tail, given: head });
    }
    if (head.length <= MAX_SURNAMES && tail.length <= MAX_GIVEN) {
      readings.push({ surnames: head, given: tail });
    }
  }
  return readings;
}

/** `PEREZ LOPEZ/ANA SOFIA`: a reading in one short string, for compact storage. */
export const packName = (name: PersonName) => `${name.surnames.join(' ')}/${name.given.join(' ')}`;

export function unpackName(packed: string): PersonName {
  const [surnames = '', given = ''] = packed.split('/');
  return {
    surnames: surnames ? surnames.split(' ') : [],
    given: given ? given.split(' ') : [],
  };
}
