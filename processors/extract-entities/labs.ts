import type { LabEntity } from '../../schemas/events.ts';
import { type Line, spanIn } from './lines.ts';

const NUMBER = String.raw`\d+(?:[.,]\d+)?`;
const FLAG = String.raw`\(?(?:H|L|HI|LO|ALTO|ALTA|BAJO|BAJA|HIGH|LOW)\)?\*?`;
/** Lab units carry a slash (`mg/dL`, `10^3/uL`) or are one of the few that do not. */
const UNIT = String.raw`%|fL|pg|seg|sec|s|ratio|(?:x\s?)?10\^?\d+\/[^\s:]+|[^\s\d%:][^\s:]*\/[^\s:]+`;
const RANGE = String.raw`(?:${NUMBER}\s*(?:-|–|a|to)\s*${NUMBER}|(?:<|>|≤|≥|<=|>=)\s*${NUMBER})`;

/**
 * One row of a results table: test, value, then unit, flag and reference range in the orders
 * reports print them. The test starts with a letter and holds no colon, which keeps label lines
 * (`Edad: 64 años`) and sentences with measurements out.
 */
const LAB_ROW = new RegExp(
  String.raw`^\s*(?<test>\p{L}[\p{L}\p{N}\p{M} ()\-,./'%]*?)\s+(?<value>${NUMBER})` +
    String.raw`(?:\s*(?<flag1>${FLAG}))?\s+(?<unit>${UNIT})(?:\s+(?<flag2>${FLAG}))?` +
    String.raw`(?:\s+(?<range>${RANGE}))?(?:\s+(?<flag3>${FLAG}))?\s*$`,
  'iu',
);

// biome-ignore format: a list reads best as one
const UNITS = ['g/dL', 'mg/dL', 'mg/L', 'ng/dL', 'ng/mL', 'pg/mL', 'ug/dL', 'µg/dL', 'mmol/L', 'mEq/L', 'U/L', 'UI/L', 'IU/L', 'uIU/mL', 'µUI/mL', 'mUI/mL', 'mIU/mL', '10^3/uL', '10^6/uL', '10^3/µL', '10^6/µL', 'fL', 'pg', 'mL/min', 'mm/h', 'seg', 's', '%'];
const UNIT_BY_KEY = new Map(UNITS.map((unit) => [unit.toLowerCase(), unit]));

/** A unit in its usual spelling whatever case OCR or the printer gave it: `MG/DL` is `mg/dL`. */
const canonicalUnit = (printed: string) => UNIT_BY_KEY.get(printed.toLowerCase()) ?? printed;

/** `10,9` is a decimal comma; `1,200` a thousands separator. */
function numberOf(printed: string): number {
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

const printedFlag = (marker: string | undefined): 'H' | 'L' | null => {
  if (!marker) return null;
  return /^\(?(H|HI|ALT|HIGH)/i.test(marker) ? 'H' : 'L';
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
  const match = LAB_ROW.exec(line.text);
  const groups = match?.groups;
  if (!match || !groups?.test || !groups.value || !groups.unit) return null;
  const value = numberOf(groups.value);
  const referenceRange = groups.range?.replace(/\s+/g, ' ') ?? null;
  const range = parseRange(referenceRange);
  const marker = groups.flag1 ?? groups.flag2 ?? groups.flag3;
  const start = match[0].length - match[0].trimStart().length;
  const end = line.text.trimEnd().length;
  // A row with a range or a flag is surely a result; a bare value and unit a little less.
  const certainty = isImplausible(groups.value, value, printedFlag(marker), range, referenceRange)
    ? IMPLAUSIBLE_LAB_CONFIDENCE
    : referenceRange || marker
      ? 0.95
      : 0.8;
  return {
    test: groups.test.trim(),
    value,
    unit: canonicalUnit(groups.unit),
    referenceRange,
    referenceLow: range.low,
    referenceHigh: range.high,
    ...flagOf(value, marker, range),
    span: spanIn(line, start, end, certainty),
  };
}

export const extractLabs = (lines: readonly Line[]) =>
  lines.map(parseLabRow).filter((lab): lab is LabEntity => lab !== null);
