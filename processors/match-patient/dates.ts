/** How two dates of birth relate, from the errors records typically make. */
export type DateRelation =
  | 'exact'
  | 'day-month-swapped'
  | 'one-digit'
  | 'year-off-by-one'
  | 'different';

/** `19800307` from `1980-03-07`, or null when it is no date. */
export function compactDate(iso: string | null): string | null {
  if (!iso) return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso.trim());
  return match ? `${match[1]}${match[2]}${match[3]}` : null;
}

/** The same date read the other way round (DMY as MDY), when that is a date too. */
export function swappedDayMonth(compact: string): string | null {
  const month = compact.slice(4, 6);
  const day = compact.slice(6, 8);
  if (month === day || Number(day) > 12 || Number(day) < 1) return null;
  return `${compact.slice(0, 4)}${day}${month}`;
}

/** Relates two compact dates (`YYYYMMDD`), by character codes: it runs for every candidate. */
export function relateDates(a: string, b: string): DateRelation {
  if (a === b) return 'exact';
  if (isSwapOf(a, b)) return 'day-month-swapped';
  let differing = 0;
  for (let i = 0; i < 8; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) differing++;
  if (differing === 1) return 'one-digit';
  if (a.slice(4) === b.slice(4) && Math.abs(Number(a.slice(0, 4)) - Number(b.slice(0, 4))) === 1) {
    return 'year-off-by-one';
  }
  return 'different';
}

/** `swappedDayMonth(a) === b`, without building the swapped date. */
function isSwapOf(a: string, b: string): boolean {
  if (a.length !== 8 || b.length !== 8) return swappedDayMonth(a) === b;
  for (let i = 0; i < 4; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) return false;
  const sameCrossed =
    a.charCodeAt(4) === b.charCodeAt(6) &&
    a.charCodeAt(5) === b.charCodeAt(7) &&
    a.charCodeAt(6) === b.charCodeAt(4) &&
    a.charCodeAt(7) === b.charCodeAt(5);
  return sameCrossed && swappedDayMonth(a) === b;
}

/** `relateDates` of two dates held as numbers (`19800307`), with no string made or read. */
export function relateDateNumbers(a: number, b: number): DateRelation {
  if (a === b) return 'exact';
  const yearA = Math.floor(a / 10_000);
  const yearB = Math.floor(b / 10_000);
  const monthA = Math.floor(a / 100) % 100;
  const dayA = a % 100;
  const monthB = Math.floor(b / 100) % 100;
  const dayB = b % 100;
  const swappable = monthA !== dayA && dayA >= 1 && dayA <= 12;
  if (yearA === yearB && monthA === dayB && dayA === monthB && swappable) {
    return 'day-month-swapped';
  }
  let differing = 0;
  for (let x = a, y = b, i = 0; i < 8; i++, x = Math.floor(x / 10), y = Math.floor(y / 10)) {
    if (x % 10 !== y % 10) differing++;
  }
  if (differing === 1) return 'one-digit';
  if (a % 10_000 === b % 10_000 && Math.abs(yearA - yearB) === 1) return 'year-off-by-one';
  return 'different';
}
