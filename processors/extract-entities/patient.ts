import type { IdentifierEntity, NameEntity, TextEntity } from '../../schemas/events.ts';
import { type DateFormat, firstDate } from './dates.ts';
import type { Field } from './fields.ts';
import { collapse, plainKey, spanIn } from './lines.ts';

/** A name runs until something no name holds: a digit, a slash, a bracket. */
const NAME_TEXT = /^[\p{L}][\p{L}\p{M}'’.,\- ]*[\p{L}.]/u;

const AS_CAPITAL: Record<string, string> = { '0': 'O', '1': 'I', '5': 'S', '8': 'B' };
const AS_SMALL: Record<string, string> = { '0': 'o', '1': 'l', '5': 's', '8': 'b' };

/**
 * Digits OCR put in place of letters inside a word read back as letters (`5amantha`, `MO0RE`),
 * one character for one, so offsets still point at the printed text.
 */
export function readBackLetters(text: string): string {
  return text.replace(/[\p{L}0158'’]+/gu, (word) => {
    const letters = word.replace(/[^\p{L}]/gu, '');
    if (letters.length < 2 || letters.length === word.length) return word;
    const table = letters === letters.toUpperCase() ? AS_CAPITAL : AS_SMALL;
    return word.replace(/[0158]/g, (digit) => table[digit] ?? digit);
  });
}

function nameIn(field: Field) {
  const match = NAME_TEXT.exec(readBackLetters(field.value));
  if (!match) return null;
  const value = collapse(match[0]);
  const words = value.split(/[\s,]+/).filter((word) => /\p{L}{2}/u.test(word));
  if (words.length < 2) return null;
  const from = field.valueStart;
  return { value, from, to: from + match[0].length };
}

/**
 * The patient's name from its labelled field. `SURNAMES, NAMES` says which part is which, and so
 * do separate surname and given-name fields; `Name Surname` and `SURNAME NAME` do not.
 */
export function extractPatientName(fields: readonly Field[]): NameEntity | null {
  const labelled = (kind: Field['kind']) => {
    const field = fields.find((candidate) => candidate.kind === kind);
    const name = field && NAME_TEXT.exec(field.value);
    return name ? collapse(name[0]) : null;
  };
  const surnames = labelled('surnames');
  const givenNames = labelled('givenNames');
  for (const field of fields) {
    if (field.kind !== 'name') continue;
    const name = nameIn(field);
    if (!name) continue;
    const span = spanIn(field.line, name.from, name.to, 0.95);
    const [before, after, ...rest] = name.value.split(',').map((part) => part.trim());
    if (before && after && rest.length === 0) {
      return { value: name.value, surnames: before, givenNames: after, span };
    }
    return { value: name.value, surnames, givenNames, span };
  }
  const field = fields.find((candidate) => candidate.kind === 'surnames');
  if (surnames && givenNames && field) {
    const span = spanIn(field.line, field.valueStart, field.valueEnd, 0.9);
    return { value: `${givenNames} ${surnames}`, surnames, givenNames, span };
  }
  return null;
}

export function extractDateOfBirth(
  fields: readonly Field[],
  format: DateFormat,
): TextEntity | null {
  for (const field of fields) {
    if (field.kind !== 'dateOfBirth') continue;
    const date = firstDate(field.value, format);
    if (!date) continue;
    const from = field.valueStart + date.start;
    return { value: date.iso, span: spanIn(field.line, from, from + date.end - date.start, 0.95) };
  }
  return null;
}

const FEMALE = new Set(['f', 'fem', 'femenino', 'female', 'mujer', 'woman', 'w']);
const MALE = new Set(['masc', 'masculino', 'male', 'hombre', 'man', 'h', 'varon']);

/**
 * `F` or `M`. A lone `M` is Masculino to most forms but Mujer to those that follow the CURP's H/M;
 * in a Spanish document the CURP's own sex letter decides it when there is one.
 */
function sexOf(word: string, language: string, curp: string | undefined) {
  if (FEMALE.has(word)) return { sex: 'F', certainty: 0.95 };
  if (MALE.has(word)) return { sex: 'M', certainty: 0.95 };
  if (word !== 'm') return null;
  if (language !== 'spa') return { sex: 'M', certainty: 0.95 };
  if (curp) return { sex: curp[10] === 'M' ? 'F' : 'M', certainty: 0.9 };
  return { sex: 'M', certainty: 0.6 };
}

export function extractSex(
  fields: readonly Field[],
  language: string,
  identifiers: readonly IdentifierEntity[],
): TextEntity | null {
  const curp = identifiers.find((id) => id.kind === 'curp')?.value;
  for (const field of fields) {
    if (field.kind !== 'sex') continue;
    const word = /\p{L}+/u.exec(field.value);
    const read = word && sexOf(plainKey(word[0]), language, curp);
    if (!word || !read) continue;
    const from = field.valueStart + word.index;
    return {
      value: read.sex,
      span: spanIn(field.line, from, from + word[0].length, read.certainty),
    };
  }
  return null;
}
