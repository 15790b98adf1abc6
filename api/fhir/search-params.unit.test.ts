import { describe, expect, it } from 'vitest';
import { dateFilter, intervalOf, parseToken, referenceId } from './search-params.ts';

describe('FHIR search parameters', () => {
  it('reads a date at its precision', () => {
    expect(intervalOf('2026')).toEqual({ start: Date.UTC(2026, 0, 1), end: Date.UTC(2027, 0, 1) });
    expect(intervalOf('2026-02')).toEqual({
      start: Date.UTC(2026, 1, 1),
      end: Date.UTC(2026, 2, 1),
    });
    expect(intervalOf('2026-02-30')).toBeNull();
    expect(intervalOf('2026-03-10T12:00:00Z')?.start).toBe(Date.UTC(2026, 2, 10, 12));
  });

  it('matches dates by prefix, every value of a repeated parameter together', () => {
    const inMarch = dateFilter(['ge2026-03-01', 'lt2026-04']);
    expect(inMarch('2026-03-10')).toBe(true);
    expect(inMarch('2026-04-01')).toBe(false);
    expect(inMarch('2026-02-28')).toBe(false);
    expect(inMarch(null)).toBe(false);
    expect(dateFilter(['2026'])('2026-12-31')).toBe(true);
    expect(dateFilter(['gt2026-03-10'])('2026-03-10')).toBe(false);
    expect(dateFilter(['le2026-03-10'])('2026-03-10')).toBe(true);
    expect(dateFilter(['ne2026-03-10'])('2026-03-11')).toBe(true);
    expect(dateFilter([])(null)).toBe(true);
    expect(() => dateFilter(['yesterday'])).toThrow(/not a FHIR date/);
  });

  it('reads tokens and references', () => {
    expect(parseToken('http://loinc.org|2345-7')).toEqual({
      system: 'http://loinc.org',
      code: '2345-7',
    });
    expect(parseToken('2345-7')).toEqual({ code: '2345-7' });
    expect(referenceId('Patient/abc-1', 'Patient')).toBe('abc-1');
    expect(referenceId('https://x/fhir/Patient/abc-1', 'Patient')).toBe('abc-1');
    expect(referenceId('abc-1', 'Patient')).toBe('abc-1');
    expect(() => referenceId('Group/1 2', 'Patient')).toThrow(/not a reference/);
  });
});
