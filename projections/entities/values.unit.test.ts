import { describe, expect, it } from 'vitest';
import { isoDate, searchKey } from './values.ts';

describe('comparable names', () => {
  it.each([
    ['Glucosa', 'glucosa'],
    ['  GLUCOSÁ  en   ayunas ', 'glucosa en ayunas'],
    ['José Núñez', 'jose nunez'],
  ])('%j compares as %j', (text, key) => expect(searchKey(text)).toBe(key));
});

describe('dates a projection can store', () => {
  it('keeps a real YYYY-MM-DD date', () => expect(isoDate('2024-02-29')).toBe('2024-02-29'));

  it.each([null, undefined, '', '2023-02-29', '1980-13-01', '03/02/2026', '2026-2-3'])(
    'refuses %j',
    (value) => expect(isoDate(value)).toBeNull(),
  );
});
