import { invalid } from '../../infra/errors.ts';

/** A span of time, start included, end excluded (milliseconds since the epoch). */
export interface Interval {
  start: number;
  end: number;
}

const PREFIXES = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb'] as const;
type Prefix = (typeof PREFIXES)[number];

export interface DateParam extends Interval {
  prefix: Prefix;
}

const DATE =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?)?)?$/;

/**
 * The span a FHIR date or dateTime covers at its precision: `2026` is the whole year,
 * `2026-03-10` the day (UTC), a dateTime the instant (to the second when it gives seconds).
 */
export function intervalOf(value: string): Interval | null {
  const match = DATE.exec(value);
  if (!match) return null;
  const [, year, month, day, time] = match;
  if (time) {
    const start = Date.parse(value);
    if (Number.isNaN(start)) return null;
    return { start, end: start + (/:\d{2}:\d{2}/.test(time) ? 1000 : 60_000) };
  }
  const y = Number(year);
  const m = month ? Number(month) - 1 : 0;
  const d = day ? Number(day) : 1;
  const start = Date.UTC(y, m, d);
  const check = new Date(start);
  if (check.getUTCMonth() !== m || check.getUTCDate() !== d || m > 11) return null;
  const end = day ? Date.UTC(y, m, d + 1) : month ? Date.UTC(y, m + 1, 1) : Date.UTC(y + 1, 0, 1);
  return { start, end };
}

/** One `date=` search value: its prefix (`eq` when none) and the span it names. */
export function parseDateParam(value: string): DateParam {
  const prefix = (PREFIXES as readonly string[]).includes(value.slice(0, 2))
    ? (value.slice(0, 2) as Prefix)
    : 'eq';
  const interval = intervalOf(prefix === 'eq' && !value.startsWith('eq') ? value : value.slice(2));
  if (!interval) {
    throw invalid('INVALID_SEARCH_PARAMETER', `not a FHIR date search value: ${value}`);
  }
  return { prefix, ...interval };
}

/** Whether a target's span meets one search value, by FHIR's rules for ranges. */
export function matchesDate(param: DateParam, target: Interval): boolean {
  const contains = param.start <= target.start && target.end <= param.end;
  switch (param.prefix) {
    case 'eq':
      return contains;
    case 'ne':
      return !contains;
    case 'gt':
      return target.end > param.end;
    case 'lt':
      return target.start < param.start;
    case 'ge':
      return target.end > param.end || contains;
    case 'le':
      return target.start < param.start || contains;
    case 'sa':
      return target.start >= param.end;
    case 'eb':
      return target.end <= param.start;
  }
}

/** Every value of a repeated search parameter must hold (FHIR's AND); no date, no match. */
export function dateFilter(values: readonly string[]): (date: string | null) => boolean {
  const params = values.map(parseDateParam);
  return (date) => {
    if (params.length === 0) return true;
    const target = date ? intervalOf(date) : null;
    return target !== null && params.every((p) => matchesDate(p, target));
  };
}

/** A token search value: `system|code`, `|code` (no system) or `code` (any system). */
export function parseToken(value: string): { system?: string; code: string } {
  const bar = value.indexOf('|');
  if (bar < 0) return { code: value };
  return { system: value.slice(0, bar), code: value.slice(bar + 1) };
}

/** The id a reference search value names: `Patient/123`, a URL ending so, or `123`. */
export function referenceId(value: string, type: string): string {
  const match = new RegExp(`(?:^|/)${type}/([A-Za-z0-9.-]{1,64})$`).exec(value);
  if (match?.[1]) return match[1];
  if (/^[A-Za-z0-9.-]{1,64}$/.test(value)) return value;
  throw invalid('INVALID_SEARCH_PARAMETER', `not a reference to a ${type}: ${value}`);
}

/** A search parameter given once or repeated, as the list of its values. */
export const valuesOf = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
