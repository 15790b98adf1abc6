/**
 * The cells of one row of a results table, in whatever order and with whatever separators the
 * report prints them: spaces, pipes, tabs or dotted leaders; the flag before or after the unit,
 * or before the value; the range bare, in parentheses or in brackets; the unit in its own cell
 * or in the test's (`Glucosa (mg/dL)`). Offsets are within the row.
 */
export interface RowCells {
  readonly test: string;
  readonly start: number;
  readonly end: number;
  /** The value as printed: `10,9`, `126`. */
  readonly value: string;
  readonly unit: string;
  /** The range without its brackets, blanks collapsed: `70 - 100`, `< 200`. */
  readonly range: string | null;
  /** The flag as printed: `H`, `(L)`, `ALTO`, `*`, `↑`. */
  readonly marker: string | undefined;
}

import { isUnreadableMark, testNameFromOcr } from './ocr-readings.ts';

export const NUMBER = String.raw`\d+(?:[.,]\d+)?`;
/** Lab units carry a slash (`mg/dL`, `10^3/uL`) or are one of the few that do not. */
export const UNIT = String.raw`%|fL|pg|seg|sec|s|ratio|UL|(?:x\s?)?10[\^"'*/°]?\d+\/[^\s:|)\]]+|[^\s\d%:()[\]][^\s:|]*\/[^\s:|)\]]+`;
const FLAG = String.raw`\(?(?:H|L|HI|LO|ALTO|ALTA|BAJO|BAJA|HIGH|LOW)\)?\*?|\*|↑|↓`;
const RANGE = String.raw`${NUMBER}\s*(?:-|–|a|to)\s*${NUMBER}|(?:<=|>=|<|>|≤|≥)\s*${NUMBER}`;

const END = String.raw`(?=\s|$)`;
const RANGE_CELL = new RegExp(
  // OCR reads a column's edge before a bracket as `1`, `l` or `|` (`13,6 1(12,0- 16,0)`), and a
  // square bracket as a curly one now and then (`{0.40 - 4.00]`).
  String.raw`[1lI|]?\(\s*(${RANGE})\s*\)|[1lI|]?[[{]\s*(${RANGE})\s*[\]}]|(${RANGE})${END}`,
  'iy',
);
const UNIT_CELL = new RegExp(`(?:${UNIT})${END}`, 'iy');
const FLAG_CELL = new RegExp(`(?:${FLAG})${END}`, 'iy');
/** A value, and the percent sign or the flag (OCR's `36L`) glued to it. */
const VALUE_CELL = new RegExp(`(${NUMBER})(?:(%)|(${FLAG}))?\\.?${END}`, 'iy');
const UNIT_IN_TEST = new RegExp(String.raw`\s*\((${UNIT})\s*\)$`, 'i');
/** A test that ends in `de`, `of` or `was` is a sentence's subject: prose, not a row. */
const PROSE_CONNECTOR = /(?:^|\s)(?:de|del|en|of|was|is|at)$/i;
/** A flag printed between the test and its value; single letters only in capitals. */
const TRAILING_FLAG =
  /\s+(?:[HL]|\([HL]\)|ALTO|ALTA|BAJO|BAJA|HIGH|LOW|Alto|Alta|Bajo|Baja|High|Low|\*|↑|↓)$/u;

/**
 * Pipes, tabs and dotted leaders are separators: blanks of the same length keep offsets. Two
 * points are a leader too: OCR loses some of a leader's points, and no value starts with two.
 */
const blanked = (text: string) =>
  text.replace(/[|\t]/g, ' ').replace(/\.{2,}|…+/g, (dots) => ' '.repeat(dots.length));

/** Where the value starts: the first number standing alone after a test that starts the row. */
const VALUE_START = /^\s*\p{L}[^:]*?\s(?=\d+(?:[.,]\d+)?(?:\S*)(?:\s|$))/u;

export function readRow(printed: string): RowCells | null {
  const text = blanked(printed);
  const head = VALUE_START.exec(text);
  if (!head) return null;
  const start = head[0].length - head[0].trimStart().length;
  let test = testNameFromOcr(head[0].trim());
  let marker: string | undefined;
  const trailing = TRAILING_FLAG.exec(test);
  if (trailing && trailing.index > 0) {
    marker = trailing[0].trim();
    test = test.slice(0, trailing.index);
  }
  if (PROSE_CONNECTOR.test(test)) return null;
  let at = head[0].length;
  VALUE_CELL.lastIndex = at;
  const value = VALUE_CELL.exec(text);
  if (!value?.[1]) return null;
  marker ??= value[3];
  at = VALUE_CELL.lastIndex;
  let unit: string | undefined = value[2];
  let range: string | null = null;
  for (;;) {
    while (/\s/.test(text[at] ?? '')) at += 1;
    if (at >= text.length) break;
    const cell: Cell | null =
      nextCell(text, at, { unit, range, marker }) ?? unreadableMark(text, at, range);
    if (!cell) return null;
    if (cell.unit) unit = cell.unit;
    if (cell.range) range = cell.range;
    if (cell.marker) marker = cell.marker;
    at = cell.to;
  }
  if (!unit) {
    const inTest = UNIT_IN_TEST.exec(test);
    if (!inTest?.[1]) return null;
    unit = inTest[1];
    test = test.slice(0, inTest.index);
  }
  const end = printed.trimEnd().length;
  return { test: test.trim(), start, end, value: value[1], unit, range, marker };
}

/** A stray glyph ending a row that has its range: an arrow OCR could not read, no flag. */
function unreadableMark(text: string, at: number, range: string | null): Cell | null {
  const rest = text.slice(at).trim();
  return range !== null && isUnreadableMark(rest) ? { to: text.length } : null;
}

type Found = Pick<Partial<RowCells>, 'unit' | 'marker'> & { range: string | null };
type Cell = Pick<Partial<RowCells>, 'unit' | 'marker' | 'range'> & { to: number };

/** The cell at `at`: a range, a unit or a flag, each at most once; anything else ends the row. */
function nextCell(text: string, at: number, found: Found): Cell | null {
  const sticky = (pattern: RegExp) => {
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    return match ? { match, to: pattern.lastIndex } : null;
  };
  const range = found.range === null ? sticky(RANGE_CELL) : null;
  if (range) {
    const core = range.match[1] ?? range.match[2] ?? range.match[3] ?? '';
    return { range: core.replace(/\s+/g, ' '), to: range.to };
  }
  const unit = found.unit ? null : sticky(UNIT_CELL);
  if (unit) return { unit: unit.match[0], to: unit.to };
  const flag = found.marker ? null : sticky(FLAG_CELL);
  if (flag) return { marker: flag.match[0], to: flag.to };
  return null;
}
