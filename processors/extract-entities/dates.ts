import * as chrono from 'chrono-node';
import { plainKey } from './lines.ts';

export type DateFormat = 'DMY' | 'MDY';

// biome-ignore format: a table reads best as one
const MONTHS: Record<string, number> = {
  enero: 1, ene: 1, january: 1, jan: 1,
  febrero: 2, feb: 2, february: 2,
  marzo: 3, mar: 3, march: 3,
  abril: 4, abr: 4, april: 4, apr: 4,
  mayo: 5, may: 5,
  junio: 6, jun: 6, june: 6,
  julio: 7, jul: 7, july: 7,
  agosto: 8, ago: 8, august: 8, aug: 8,
  septiembre: 9, setiembre: 9, sep: 9, sept: 9, set: 9, september: 9,
  octubre: 10, oct: 10, october: 10,
  noviembre: 11, nov: 11, november: 11,
  diciembre: 12, dic: 12, december: 12, dec: 12,
};

/** A date as printed, with its parts still undecided where the order is not known. */
interface PrintedDate {
  readonly start: number;
  readonly end: number;
  /** `numeric` dates need the document's order; the others say which part is which. */
  readonly numeric: boolean;
  readonly first: number;
  readonly second: number;
  readonly year: number;
}

const WORD = '([A-Za-zÁÉÍÓÚáéíóú]{3,10})';
// Only four-digit years: a two-digit year cannot tell a birth in 1924 from one in 2024.
const NUMERIC = /(?<![\d/.-])(\d{1,2}) ?[/.-] ?(\d{1,2}) ?[/.-] ?(\d{4})(?!\d)/g;
// What chrono does not read: `14 de marzo del 1961`, `14/ABR/1961`, `3 Sept 2024`.
const DAY_MONTH = new RegExp(
  `(?<!\\d)(\\d{1,2})(?:º|°)?(?:\\s*de)?[\\s./-]*${WORD}\\.?(?:\\s*del?)?[\\s.,/-]*(\\d{4})(?!\\d)`,
  'gi',
);
const MONTH_DAY = new RegExp(
  `\\b${WORD}\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})(?!\\d)`,
  'gi',
);

const monthOf = (word: string) => MONTHS[plainKey(word)] ?? null;

/** Any reference will do: only dates whose day, month and four-digit year are printed count. */
const REFERENCE = new Date(Date.UTC(2000, 0, 1));
const PARSERS = [chrono.es.strict, chrono.en.strict];

/**
 * Dates in words and ISO dates as chrono reads them in Spanish and English. Numeric dates are
 * left to the document's order, which chrono cannot know.
 */
function chronoDates(text: string): PrintedDate[] {
  return PARSERS.flatMap((parser) => parser.parse(text, REFERENCE)).flatMap((result) => {
    const { start } = result;
    const complete = ['year', 'month', 'day'].every((part) => start.isCertain(part as never));
    const iso = /^\d{4}-\d{2}-\d{2}$/.test(result.text);
    if (!complete || !/\d{4}/.test(result.text) || !(iso || /\p{L}/u.test(result.text))) return [];
    const [day, month, year] = [start.get('day'), start.get('month'), start.get('year')];
    if (day === null || month === null || year === null) return [];
    const end = result.index + result.text.length;
    return [{ start: result.index, end, numeric: false, first: day, second: month, year }];
  });
}

/** Every numeric date, in order of appearance. */
function numericDates(text: string): PrintedDate[] {
  return [...text.matchAll(NUMERIC)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
    numeric: true,
    first: Number(m[1]),
    second: Number(m[2]),
    year: Number(m[3]),
  }));
}

function spelledDates(text: string): PrintedDate[] {
  const found: PrintedDate[] = [];
  const add = (match: RegExpExecArray, date: Omit<PrintedDate, 'start' | 'end'>) =>
    found.push({ start: match.index, end: match.index + match[0].length, ...date });
  for (const m of text.matchAll(DAY_MONTH)) {
    const month = monthOf(m[2] ?? '');
    if (month) add(m, { numeric: false, first: Number(m[1]), second: month, year: Number(m[3]) });
  }
  for (const m of text.matchAll(MONTH_DAY)) {
    const month = monthOf(m[1] ?? '');
    if (month) add(m, { numeric: false, first: Number(m[2]), second: month, year: Number(m[3]) });
  }
  return found;
}

/** Every date printed in a text, in order of appearance; of two overlapping, the longer. */
export function printedDates(text: string): PrintedDate[] {
  const found = [...chronoDates(text), ...spelledDates(text), ...numericDates(text)];
  let reached = 0;
  return found
    .sort((a, b) => a.start - b.start || b.end - a.end)
    .filter((date) => {
      if (date.start < reached) return false;
      reached = date.end;
      return true;
    });
}

/** `YYYY-MM-DD` when the parts make a real calendar date. */
function isoDate(year: number, month: number, day: number): string | null {
  const iso = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  const parsed = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== iso ? null : iso;
}

/** A printed date as ISO; numeric dates read in the document's order; other forms say their own. */
export function toIso(date: PrintedDate, format: DateFormat): string | null {
  if (!date.numeric) return isoDate(date.year, date.second, date.first);
  const [day, month] = format === 'DMY' ? [date.first, date.second] : [date.second, date.first];
  return isoDate(date.year, month, day);
}

/** The first date in a text that is a real date in the document's order, and where it is. */
export function firstDate(text: string, format: DateFormat) {
  for (const date of printedDates(text)) {
    const iso = toIso(date, format);
    if (iso) return { iso, start: date.start, end: date.end };
  }
  return null;
}

export interface DateFormatDecision {
  readonly format: DateFormat;
  /** Why, in words that hold no date of the document: dates of birth are personal data. */
  readonly basis: string;
}

/**
 * Whether `03/04/2024` is the 3rd of April (day first, as Mexico prints it) or the 4th of March
 * (month first, as the US does). Evidence, strongest first:
 * 1. a printed numeric date whose first number is above 12 can only be day first, one whose
 *    second number is above 12 only month first (if both occur, the more frequent wins);
 * 2. else the document's language: Spanish documents here are Mexican (DMY), English ones are
 *    from the US (MDY);
 * 3. else day first, the more common order worldwide.
 */
export function decideDateFormat(text: string, language: string): DateFormatDecision {
  const numeric = numericDates(text);
  const dayFirst = numeric.filter((d) => d.first > 12 && d.first <= 31 && d.second <= 12).length;
  const monthFirst = numeric.filter((d) => d.second > 12 && d.second <= 31 && d.first <= 12).length;
  if (dayFirst > monthFirst) {
    return { format: 'DMY', basis: `${dayFirst} printed date(s) with a first number above 12` };
  }
  if (monthFirst > dayFirst) {
    return { format: 'MDY', basis: `${monthFirst} printed date(s) with a second number above 12` };
  }
  const ambiguity = numeric.length ? 'printed dates are ambiguous' : 'no numeric dates';
  if (language === 'spa') return { format: 'DMY', basis: `${ambiguity}; Spanish text` };
  if (language === 'eng') return { format: 'MDY', basis: `${ambiguity}; English text` };
  return { format: 'DMY', basis: `${ambiguity}; language undecided, day first by default` };
}
