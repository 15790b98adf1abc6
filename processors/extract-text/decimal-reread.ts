import { correctedConfidence, correctedText, type WordCorrection } from './corrected-page.ts';
import {
  type Box,
  hasDecimals,
  type LabCells,
  labCells,
  type NumberCell,
  numberOf,
  type OcrLine,
  type OcrSymbol,
  type OcrWord,
  type PrintedFlag,
  type Range,
} from './lab-cells.ts';

/**
 * Tesseract drops the small decimal point of a lab value, most often beside its flag (`3.6 L`
 * read `36L`), and sometimes those of the range too (`3.5 - 5.0` read `35-50`). A value whose
 * reading contradicts its own range or flag, where a decimal point put back would agree with
 * them, is read again alone, digits only; the second reading is taken only if it holds the
 * same digits and agrees. A range read without decimals in a row whose value has none is read
 * again first, so a value that agreed with a wrong range can still be caught.
 */

/** What tesseract reads in one region of the page, limited to `characters`. */
export interface Reading {
  readonly text: string;
  /** 0..100, as tesseract gives it. */
  readonly confidence: number;
}
export type Reread = (box: Box, characters: string) => Promise<Reading>;

export interface PageLayout {
  readonly text: string;
  /** 0..1 */
  readonly confidence: number;
  readonly lines: readonly OcrLine[];
}

export interface RereadOutcome {
  readonly cell: 'value' | 'range';
  readonly line: number;
  readonly word: number;
  readonly read: string;
  readonly reread: string;
  readonly confidence: number;
  readonly kept: boolean;
}

export const VALUE_CHARACTERS = '0123456789.,<>';
const RANGE_CHARACTERS = `${VALUE_CHARACTERS}-`;
/** Below this, tesseract itself doubts its digits-only reading (a garbled one scores near 0). */
export const MIN_REREAD_CONFIDENCE = 50;
/**
 * Pixels around the digits: enough for a decimal point on the baseline, little of the next cell.
 * Where the point is read depends on the crop as much as on the ink (`35` at 4 px, `3.5` at 8 px
 * on the same bound), so a reading without one is tried once more with more room.
 */
export const PADS = [4, 8] as const;

const digitsOf = (printed: string) => printed.replace(/\D/g, '');

/** How far a value lies outside its range, in orders of magnitude (natural log); 0 inside it. */
export function gap(value: number, { low, high }: Range): number {
  if (high !== null && value > high) return Math.log(value / high);
  if (low !== null && value < low)
    return value > 0 ? Math.log(low / value) : Number.POSITIVE_INFINITY;
  return 0;
}

function agreesWithFlag(value: number, range: Range, flag: PrintedFlag): boolean {
  const above = range.high !== null && value > range.high;
  const below = range.low !== null && value < range.low;
  if (flag === 'H') return above || range.high === null;
  if (flag === 'L') return below || range.low === null;
  if (flag === 'abnormal') return above || below;
  return true;
}

/** A flagged value must agree with its flag; any value must sit nearer its range than before. */
export function isBetterReading(candidate: number, read: number, range: Range, flag: PrintedFlag) {
  return agreesWithFlag(candidate, range, flag) && gap(candidate, range) < gap(read, range);
}

/** The readings a dropped decimal point could have made into `printed`: `364` -> 3.64, 36.4. */
export function decimalPlacements(printed: string): number[] {
  const digits = digitsOf(printed);
  return Array.from({ length: digits.length - 1 }, (_, i) =>
    Number(`${digits.slice(0, i + 1)}.${digits.slice(i + 1)}`),
  );
}

export function isSuspectValue(printed: string, range: Range, flag: PrintedFlag): boolean {
  if (hasDecimals(printed)) return false;
  const read = numberOf(printed);
  return decimalPlacements(printed).some((p) => isBetterReading(p, read, range, flag));
}

/** The second reading of a value, if it is the same digits with a decimal point that agrees. */
export function keptValue(
  printed: string,
  reading: Reading,
  range: Range,
  flag: PrintedFlag,
): string | null {
  const text = reading.text.trim();
  if (!/^\d+[.,]\d+$/.test(text) || digitsOf(text) !== digitsOf(printed)) return null;
  if (reading.confidence < MIN_REREAD_CONFIDENCE) return null;
  return isBetterReading(numberOf(text), numberOf(printed), range, flag) ? text : null;
}

/**
 * A range read without any decimals, in a row whose value has none either, each bound of two
 * digits or more: ranges are printed with both bounds to the same decimals, so if the points
 * were dropped, each bound holds a digit either side of where its point was.
 */
export function isSuspectRange(cells: LabCells): boolean {
  const printed = cells.rangeWords.map((cell) => cell.printed);
  const bounds = printed.join('-').split(/[-–]/);
  return (
    bounds.length === 2 &&
    !hasDecimals(cells.value.printed) &&
    !printed.some(hasDecimals) &&
    bounds.every((bound) => /^\d{2,}$/.test(bound))
  );
}

/**
 * The second reading of a range, word by word, if it is the same digits with decimal points,
 * both bounds printed to the same decimals (as analysers print them), low below high.
 */
export function keptRange(cells: readonly NumberCell[], readings: readonly Reading[]) {
  const texts = readings.map((reading) => reading.text.trim());
  const same = cells.every((cell, i) => digitsOf(cell.printed) === digitsOf(texts[i] ?? ''));
  const confident = readings.every((reading) => reading.confidence >= MIN_REREAD_CONFIDENCE);
  const bounds = texts.join('-').split(/-|–/);
  if (!same || !confident || bounds.length !== 2) return null;
  const [low = '', high = ''] = bounds;
  const decimals = (text: string) => /[.,](\d+)$/.exec(text)?.[1]?.length ?? 0;
  const wellFormed = [low, high].every((text) => /^\d+(?:[.,]\d+)?$/.test(text));
  if (!wellFormed || decimals(low) === 0 || decimals(low) !== decimals(high)) return null;
  const range = { low: numberOf(low), high: numberOf(high) };
  return range.low < range.high ? { texts, range } : null;
}

const padded = (boxes: readonly Box[], line: OcrLine, pad: number): Box => ({
  x0: Math.max(0, Math.min(...boxes.map((box) => box.x0)) - pad),
  y0: Math.max(0, line.box.y0 - pad),
  x1: Math.max(...boxes.map((box) => box.x1)) + pad,
  y1: line.box.y1 + pad,
});

const isNumeric = (symbol: OcrSymbol) => /[\d.,]/.test(symbol.text);

/** The region of a word's digits and decimal separators, with `pad` pixels around them. */
export function digitsBox(word: OcrWord, line: OcrLine, pad: number = PADS[0]): Box {
  const symbols = word.symbols.filter(isNumeric);
  return padded(symbols.length > 0 ? symbols.map((symbol) => symbol.box) : [word.box], line, pad);
}

/**
 * The regions of a one-word range's two bounds, either side of its dash: read together, the
 * dash makes tesseract read `3.5-5.0` as `35-50` again. Null when the symbols do not show both.
 */
export function boundBoxes(word: OcrWord, line: OcrLine, pad: number = PADS[0]) {
  const dash = word.symbols.findIndex((symbol) => /^[-–]$/.test(symbol.text));
  const low = word.symbols.slice(0, Math.max(0, dash)).filter(isNumeric);
  const high = word.symbols.slice(dash + 1).filter(isNumeric);
  if (dash < 0 || low.length === 0 || high.length === 0) return null;
  const boxOf = (symbols: OcrSymbol[]) =>
    padded(
      symbols.map((symbol) => symbol.box),
      line,
      pad,
    );
  return [boxOf(low), boxOf(high)] as const;
}

/** A digits-only reading of a region at each padding in turn, until one holds a decimal point. */
async function readDigits(reread: Reread, region: (pad: number) => Box, characters: string) {
  let first: Reading | null = null;
  for (const pad of PADS) {
    const reading = await reread(region(pad), characters);
    if (hasDecimals(reading.text)) return reading;
    first ??= reading;
  }
  return first ?? { text: '', confidence: 0 };
}

export interface RereadPage {
  readonly text: string;
  readonly confidence: number;
  readonly rereads: readonly RereadOutcome[];
}

interface Row {
  readonly line: OcrLine;
  readonly index: number;
  cells: LabCells;
}

/** Reads again the suspect cells of a page's lab rows and puts the readings kept in its text. */
export async function rereadDecimals(page: PageLayout, reread: Reread): Promise<RereadPage> {
  const rows: Row[] = page.lines.flatMap((line, index) => {
    const cells = labCells(line);
    return cells ? [{ line, index, cells }] : [];
  });
  const rereads: RereadOutcome[] = [];
  const corrections: WordCorrection[] = [];
  const wordOf = (row: Row, cell: NumberCell) => row.line.words[cell.word] ?? NO_WORD;
  const read = (row: Row, cell: NumberCell, characters: string) =>
    readDigits(reread, (pad) => digitsBox(wordOf(row, cell), row.line, pad), characters);
  const record = (
    row: Row,
    cell: NumberCell,
    kind: RereadOutcome['cell'],
    reading: Reading,
    kept: string | null,
  ) => {
    const { confidence } = reading;
    const outcome = { cell: kind, line: row.index, word: cell.word, read: cell.printed };
    rereads.push({ ...outcome, reread: reading.text.trim(), confidence, kept: kept !== null });
    if (kept === null) return;
    const text = wordOf(row, cell).text.replace(cell.printed, kept);
    corrections.push({ line: row.index, word: cell.word, text, confidence });
  };

  const readBound = async (row: Row, cell: NumberCell): Promise<Reading> => {
    const word = wordOf(row, cell);
    const bound = (side: 0 | 1) => (pad: number) =>
      boundBoxes(word, row.line, pad)?.[side] ?? word.box;
    if (!boundBoxes(word, row.line)) {
      return read(row, cell, cell.printed.includes('-') ? RANGE_CHARACTERS : VALUE_CHARACTERS);
    }
    const low = await readDigits(reread, bound(0), VALUE_CHARACTERS);
    const high = await readDigits(reread, bound(1), VALUE_CHARACTERS);
    const text = `${low.text.trim()}-${high.text.trim()}`;
    return { text, confidence: Math.min(low.confidence, high.confidence) };
  };

  for (const row of rows.filter((candidate) => isSuspectRange(candidate.cells))) {
    const { rangeWords } = row.cells;
    const readings: Reading[] = [];
    for (const cell of rangeWords) readings.push(await readBound(row, cell));
    const kept = keptRange(rangeWords, readings);
    readings.forEach((reading, i) => {
      const cell = rangeWords[i];
      if (cell) record(row, cell, 'range', reading, kept?.texts[i] ?? null);
    });
    if (kept) row.cells = { ...row.cells, range: kept.range };
  }
  for (const row of rows) {
    const { value, range, flag } = row.cells;
    if (!isSuspectValue(value.printed, range, flag)) continue;
    const reading = await read(row, value, VALUE_CHARACTERS);
    record(row, value, 'value', reading, keptValue(value.printed, reading, range, flag));
  }
  return {
    text: correctedText(page.text, page.lines, corrections),
    confidence: correctedConfidence(page.confidence, page.lines, corrections),
    rereads,
  };
}

const NO_WORD: OcrWord = {
  text: '',
  confidence: 0,
  box: { x0: 0, y0: 0, x1: 0, y1: 0 },
  symbols: [],
};
