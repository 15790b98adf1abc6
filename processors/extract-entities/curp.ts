const CHECK_ALPHABET = '0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ';

/**
 * A CURP: four letters (surname and given-name initials), birth date YYMMDD, H or M, the state,
 * three internal consonants, a homonym differentiator and a check digit.
 */
const CURP_FORMAT = /^[A-Z][AEIOUX][A-Z]{2}\d{6}[HM][A-Z]{2}[B-DF-HJ-NP-TV-Z]{3}[0-9A-Z]\d$/;

/** Which positions hold digits (d), letters (l) or either (x). */
const POSITIONS = 'llllddddddllllllxd';
const AS_DIGIT: Record<string, string> = {
  O: '0',
  Q: '0',
  D: '0',
  I: '1',
  L: '1',
  Z: '2',
  S: '5',
  B: '8',
  G: '6',
};
const AS_LETTER: Record<string, string> = {
  '0': 'O',
  '1': 'I',
  '5': 'S',
  '8': 'B',
  '2': 'Z',
  '6': 'G',
};

/** The verification digit RENAPO computes over the first 17 characters. */
export function curpCheckDigit(first17: string): string {
  const sum = [...first17].reduce(
    (total, ch, i) => total + Math.max(0, CHECK_ALPHABET.indexOf(ch)) * (18 - i),
    0,
  );
  return String((10 - (sum % 10)) % 10);
}

/** Reads digits where the format wants digits and letters where it wants letters. */
function repairConfusions(candidate: string): string {
  return [...candidate]
    .map((ch, i) => {
      const wants = POSITIONS[i];
      if (wants === 'd') return AS_DIGIT[ch] ?? ch;
      if (wants === 'l') return AS_LETTER[ch] ?? ch;
      return ch;
    })
    .join('');
}

/**
 * The CURP an 18-character token is, once OCR's digit/letter confusions are read back, when its
 * format holds and its check digit agrees; null otherwise. A wrong CURP would link the document
 * to someone else, so a failed check digit is no CURP at all.
 */
export function validCurp(token: string): string | null {
  const upper = token.toUpperCase();
  if (upper.length !== 18) return null;
  const curp = repairConfusions(upper);
  if (!CURP_FORMAT.test(curp)) return null;
  return curpCheckDigit(curp.slice(0, 17)) === curp[17] ? curp : null;
}
