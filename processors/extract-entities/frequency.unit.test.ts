import { describe, expect, it } from 'vitest';
import { FREQUENCY, timesPerDay } from './frequency.ts';

describe('doses a day', () => {
  it.each([
    ['cada 12 horas', 2],
    ['cada 8 horas', 3],
    ['cada 24 hrs', 1],
    ['c/6 h', 4],
    ['every 12 hours', 2],
    ['q8h', 3],
    ['Q 6 H', 4],
    ['BID', 2],
    ['twice daily', 2],
    ['TID', 3],
    ['three times daily', 3],
    ['QD', 1],
    ['once daily', 1],
    ['daily', 1],
    ['una vez al día', 1],
    ['dos veces al dia', 2],
    ['QID', 4],
    ['antes de dormir', 1],
    ['at bedtime', 1],
  ])('%s is %s a day', (frequency, expected) => {
    expect(timesPerDay(frequency)).toBe(expected);
  });

  it('says nothing for as-needed or intervals that do not divide a day', () => {
    expect(timesPerDay('PRN')).toBeNull();
    expect(timesPerDay('as needed')).toBeNull();
    expect(timesPerDay('cada 5 horas')).toBeNull();
  });

  it('finds the frequency inside a sig as printed', () => {
    const sig = 'Tomar una tableta vía oral dos veces al día durante 10 días.';
    expect(FREQUENCY.exec(sig)?.[0]).toBe('dos veces al día');
    expect(FREQUENCY.exec('Sig: 1 tab PO TID   Disp: #28')?.[0]).toBe('TID');
    expect(FREQUENCY.exec('1 tab by mouth once daily')?.[0]).toBe('once daily');
  });
});
