/**
 * The cells of a lab results row as OCR laid them out in words: the value, the reference range
 * and the flag, whatever order the columns come in and whatever separates them (spaces, tabs,
 * pipes, dotted leaders). Only what the decimal re-read needs: numbers, their words and boxes.
 */

export interface Box {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

export interface OcrSymbol {
  readonly text: string;
  readonly box: Box;
}

export interface OcrWord {
  readonly text: string;
  /** 0..100, as tesseract gives it. */
  readonly confidence: number;
  readonly box: Box;
  readonly symbols: readonly OcrSymbol[];
}

export interface OcrLine {
  /** The line as tesseract wrote it into the page's text. */
  readonly text: string;
  readonly box: Box;
  readonly words: readonly OcrWord[];
}

/** H or L as printed; `abnormal` for a mark (`*`) that does not say which way. */
export type PrintedFlag = 'H' | 'L' | 'abnormal' | null;

export interface Range {
  readonly low: number | null;
  readonly high: number | null;
}

/** A number printed in one word: `36L` holds the value `36`; `(3.5-5.0)` holds a range. */
export interface NumberCell {
  /** Index of the word in its line. */
  readonly word: number;
  /** The number as read (digits, and a decimal point or comma if one was seen). */
  readonly printed: string;
}

export interface LabCells {
  readonly value: NumberCell;
  /** The bound(s) of a `low - high` range: one word (`3.5-5.0`) or two (`3.5`, `5.0`). */
  readonly rangeWords: readonly NumberCell[];
  readonly range: Range;
  readonly flag: PrintedFlag;
}

const NUMBER = String.raw`\d+(?:[.,]\d+)?`;
/** A value, perhaps with leaders read into it before and its flag glued after (`36L`, `4.9*`). */
const VALUE_WORD = new RegExp(String.raw`^[.·…_:]*(${NUMBER})(H|L|\*)?$`);
const BETWEEN_WORD = new RegExp(String.raw`^[([]?(${NUMBER})[-–](${NUMBER})[)\]]?$`);
const BOUND_WORD = new RegExp(String.raw`^[([]?(<=?|>=?|≤|≥)?(${NUMBER})[)\]]?$`);
const JOINERS = new Set(['-', '–', 'a', 'to']);
const FLAG_WORDS: Record<string, PrintedFlag> = {
  H: 'H',
  '(H)': 'H',
  HI: 'H',
  HIGH: 'H',
  ALTO: 'H',
  ALTA: 'H',
  '↑': 'H',
  L: 'L',
  '(L)': 'L',
  LO: 'L',
  LOW: 'L',
  BAJO: 'L',
  BAJA: 'L',
  '↓': 'L',
  '*': 'abnormal',
};

/** `10,9` is a decimal comma; `1,200` a thousands separator. */
export function numberOf(printed: string): number {
  return Number(
    /^\d{1,3},\d{3}$/.test(printed) ? printed.replace(',', '') : printed.replace(',', '.'),
  );
}

export const hasDecimals = (printed: string) => /\d[.,]\d/.test(printed);

const flagWord = (text: string): PrintedFlag => {
  const key = /^[HL]$|^\([HL]\)$/.test(text) ? text : text.toUpperCase();
  return FLAG_WORDS[key] ?? null;
};

interface FoundRange {
  readonly start: number;
  readonly cells: NumberCell[];
  readonly range: Range;
}

const LOW_WORD = new RegExp(`^[([]?(${NUMBER})$`);
const HIGH_WORD = new RegExp(String.raw`^(${NUMBER})[)\]]?$`);
const SIGN_WORD = /^[([]?(<=?|>=?|≤|≥)$/;

/** Reference ranges span less than three orders of magnitude; `19-235221` is an order number. */
const MAX_RANGE_SPAN = 1000;

function between(cells: NumberCell[], low: string, high: string, start: number) {
  const range = { low: numberOf(low), high: numberOf(high) };
  const plausible = range.low < range.high && range.high <= MAX_RANGE_SPAN * Math.max(range.low, 1);
  return plausible ? { start, cells, range } : null;
}

const bounded = (sign: string, limit: string, start: number): FoundRange => {
  const n = numberOf(limit);
  const upper = sign.startsWith('<') || sign === '≤';
  return { start, cells: [], range: upper ? { low: null, high: n } : { low: n, high: null } };
};

/** A range starting at word `i`: in one word (`3.5-5.0`, `<200`) or more (`3.5`, `-`, `5.0`). */
function rangeAt(words: readonly string[], i: number): FoundRange | null {
  const [word = '', next = '', after = ''] = words.slice(i, i + 3);
  const [, low, high] = BETWEEN_WORD.exec(word) ?? [];
  if (low && high) return between([{ word: i, printed: `${low}-${high}` }], low, high, i);
  const [, first] = LOW_WORD.exec(word) ?? [];
  const [, last] = HIGH_WORD.exec(after) ?? [];
  if (first && last && JOINERS.has(next)) {
    const cells = [
      { word: i, printed: first },
      { word: i + 2, printed: last },
    ];
    return between(cells, first, last, i);
  }
  const [, sign, limit] = BOUND_WORD.exec(word) ?? [];
  if (sign && limit) return bounded(sign, limit, i);
  const [, alone] = SIGN_WORD.exec(word) ?? [];
  const [, following] = HIGH_WORD.exec(next) ?? [];
  return alone && following ? bounded(alone, following, i) : null;
}

/**
 * The value is the last bare number before the first range; what lies between them (unit,
 * flag, pipes, leaders) holds a letter or no digit. A flag may stand anywhere after the first
 * word, which is the test's.
 */
export function labCells(line: OcrLine): LabCells | null {
  const words = line.words.map((word) => word.text);
  let found: FoundRange | null = null;
  for (let i = 1; i < words.length && !found; i++) found = rangeAt(words, i);
  if (!found) return null;
  for (let i = found.start - 1; i >= 1; i--) {
    const word = words[i] ?? '';
    const [, printed, glued] = VALUE_WORD.exec(word) ?? [];
    if (printed) {
      const separate = words
        .slice(1)
        .map(flagWord)
        .find((flag) => flag !== null);
      const flag = (glued ? flagWord(glued) : null) ?? separate ?? null;
      return { value: { word: i, printed }, rangeWords: found.cells, range: found.range, flag };
    }
    if (/\d/.test(word) && !/\p{L}|\//u.test(word)) return null;
  }
  return null;
}
