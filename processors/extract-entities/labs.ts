import type { LabEntity } from '../../schemas/events.ts';
import { analyteAtStart, proseResults } from './lab-prose.ts';
import { NUMBER, readRow } from './lab-row.ts';
import { type Line, spanIn } from './lines.ts';
import { unitFromOcr, withoutLeaderWords } from './ocr-readings.ts';

// biome-ignore format: a list reads best as one
const UNITS = ['g/dL', 'mg/dL', 'mg/L', 'ng/dL', 'ng/mL', 'pg/mL', 'ug/dL', 'µg/dL', 'mmol/L', 'mEq/L', 'U/L', 'UI/L', 'IU/L', 'uIU/mL', 'µUI/mL', 'mUI/mL', 'mIU/mL', '10^3/uL', '10^6/uL', '10^3/µL', '10^6/µL', 'fL', 'pg', 'mL/min', 'mm/h', 'seg', 's', '%'];
const UNIT_BY_KEY = new Map(UNITS.map((unit) => [unit.toLowerCase(), unit]));

/**
 * A unit in its usual spelling whatever case OCR or the printer gave it: `MG/DL` is `mg/dL`; and
 * what OCR makes of a caret or of `uIU` read back (`1073/uL` is `10^3/uL`).
 */
export const canonicalUnit = (printed: string) => {
  // A sentence may end on the unit: `… 6.7 mg/dL.`; no unit ends with a point. OCR may read a
  // speck before it as a quote.
  const unit = printed.replace(/(?<=\p{L})\.$/u, '').replace(/^[‘’'`"]/u, '');
  return UNIT_BY_KEY.get(unit.toLowerCase()) ?? unitFromOcr(unit) ?? unit;
};

/** `10,9` is a decimal comma; `1,200` a thousands separator. */
export function numberOf(printed: string): number {
  return Number(
    /^\d{1,3},\d{3}$/.test(printed) ? printed.replace(',', '') : printed.replace(',', '.'),
  );
}

export function parseRange(printed: string | null): { low: number | null; high: number | null } {
  if (!printed) return { low: null, high: null };
  const below = /^(?:<|≤|<=)\s*(\S+)$/.exec(printed);
  if (below) return { low: null, high: numberOf(below[1] ?? '') };
  const above = /^(?:>|≥|>=)\s*(\S+)$/.exec(printed);
  if (above) return { low: numberOf(above[1] ?? ''), high: null };
  const between = new RegExp(`^(${NUMBER})\\s*(?:-|–|a|to)\\s*(${NUMBER})$`, 'i').exec(printed);
  if (between) return { low: numberOf(between[1] ?? ''), high: numberOf(between[2] ?? '') };
  return { low: null, high: null };
}

/** `H`, `ALTO`, `HIGH`, `↑` say high; `L`, `BAJO`, `LOW`, `↓` low; a `*` only says abnormal. */
const printedFlag = (marker: string | undefined): 'H' | 'L' | null => {
  if (!marker) return null;
  if (/^\(?(H|HI|ALT|HIGH)|↑/i.test(marker)) return 'H';
  if (/^\(?(L|LO|BAJ|LOW)|↓/i.test(marker)) return 'L';
  return null;
};

/** The flag the report printed beside the value, else the one its reference range implies. */
export function flagOf(
  value: number,
  marker: string | undefined,
  range: { low: number | null; high: number | null },
): Pick<LabEntity, 'flag' | 'flagSource'> {
  const printed = printedFlag(marker);
  if (printed) return { flag: printed, flagSource: 'printed' };
  if (range.high !== null && value > range.high) return { flag: 'H', flagSource: 'computed' };
  if (range.low !== null && value < range.low) return { flag: 'L', flagSource: 'computed' };
  if (range.high === null && range.low === null) return { flag: null, flagSource: null };
  return { flag: null, flagSource: 'computed' };
}

/**
 * A value that cannot be what was printed: its printed flag says the opposite of its range, or it
 * lacks the decimals its range has and is ten times the range's top. OCR drops small decimal
 * points (`3.6 L` read as `36L`); the value is kept as read, but no one should trust it.
 */
export function isImplausible(
  printedValue: string,
  value: number,
  printed: 'H' | 'L' | null,
  range: { low: number | null; high: number | null },
  referenceRange: string | null,
): boolean {
  if (printed === 'L' && range.high !== null && value > range.high) return true;
  if (printed === 'H' && range.low !== null && value < range.low) return true;
  const rangeHasDecimals = /\d[.,]\d/.test(referenceRange ?? '');
  return (
    rangeHasDecimals &&
    !/[.,]/.test(printedValue) &&
    range.high !== null &&
    value >= 10 * range.high
  );
}

/** Below this confidence a lab value is one a person should check against the page. */
export const IMPLAUSIBLE_LAB_CONFIDENCE = 0.3;

export function parseLabRow(line: Line): LabEntity | null {
  const row = readRow(line.text);
  if (!row) return null;
  const value = numberOf(row.value);
  const range = parseRange(row.range);
  // A row with a range or a flag is surely a result; a bare value and unit a little less.
  const certainty = isImplausible(row.value, value, printedFlag(row.marker), range, row.range)
    ? IMPLAUSIBLE_LAB_CONFIDENCE
    : row.range || row.marker
      ? 0.95
      : 0.8;
  // A text layer prints what the report says; only OCR reads a leader as words.
  const read = line.pageConfidence < 1;
  return {
    test: read ? withoutLeaderWords(row.test, analyteAtStart(row.test)) : row.test,
    value,
    unit: canonicalUnit(row.unit),
    referenceRange: row.range,
    referenceLow: range.low,
    referenceHigh: range.high,
    ...flagOf(value, row.marker, range),
    span: spanIn(line, row.start, row.end, certainty),
  };
}

/** Results named in a sentence: no range and no flag, so nothing says a value is out. */
function proseLabs(line: Line): LabEntity[] {
  return proseResults(line.text).map((result) => ({
    test: result.test,
    value: numberOf(result.value),
    unit: canonicalUnit(result.unit),
    referenceRange: null,
    referenceLow: null,
    referenceHigh: null,
    flag: null,
    flagSource: null,
    span: spanIn(line, result.start, result.end, 0.8),
  }));
}

/**
 * Results of a sentence wrapped from `line` onto `next` (`… potasio de 5.6` / `mmol/L, …`): those
 * of the two lines joined that start on the first and end on the second. Their span is the part
 * on the first line.
 */
function proseAcross(line: Line, next: Line): LabEntity[] {
  const joint = line.text.length;
  const joined: Line = { ...line, text: `${line.text} ${next.text}` };
  return proseLabs(joined)
    .filter((lab) => lab.span.start - line.start < joint && lab.span.end - line.start > joint)
    .map((lab) => ({ ...lab, span: { ...lab.span, end: line.start + joint } }));
}

/** Results in table rows, and in the sentences of lines that are no row, wrapped or not. */
export function extractLabs(lines: readonly Line[]): LabEntity[] {
  const rows = lines.map(parseLabRow);
  return lines.flatMap((line, i) => {
    const row = rows[i];
    if (row) return [row];
    const next = lines[i + 1];
    const wrapped = next && !rows[i + 1] && next.page === line.page;
    return [...proseLabs(line), ...(wrapped ? proseAcross(line, next) : [])];
  });
}
