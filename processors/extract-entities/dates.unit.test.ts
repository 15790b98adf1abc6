import { describe, expect, it } from 'vitest';
import { decideDateFormat, firstDate } from './dates.ts';

describe('the date order of a document', () => {
  it('is day first when a printed date can only be read day first, whatever the language', () => {
    const decision = decideDateFormat('Fecha: 03/04/2024\nDOB: 25/12/1960', 'eng');
    expect(decision.format).toBe('DMY');
    expect(decision.basis).toMatch(/first number above 12/);
  });

  it('is month first when a printed date can only be read month first', () => {
    expect(decideDateFormat('Fecha: 03/04/2024\nNac: 12/25/1960', 'spa').format).toBe('MDY');
  });

  it('follows the language when every date could be read either way', () => {
    const spanish = decideDateFormat('Fecha: 03/04/2024', 'spa');
    const english = decideDateFormat('Date: 03/04/2024', 'eng');
    expect(spanish).toEqual({ format: 'DMY', basis: 'printed dates are ambiguous; Spanish text' });
    expect(english.format).toBe('MDY');
  });

  it('falls back to day first with no evidence at all', () => {
    expect(decideDateFormat('no dates here', 'und')).toMatchObject({ format: 'DMY' });
  });

  it('never quotes a date in its reason', () => {
    expect(decideDateFormat('DOB: 25/12/1960', 'und').basis).not.toMatch(/1960|25/);
  });
});

describe('reading a date', () => {
  it('reads numeric dates in the order decided', () => {
    expect(firstDate('Fecha: 03/04/2024', 'DMY')?.iso).toBe('2024-04-03');
    expect(firstDate('Date: 03/04/2024', 'MDY')?.iso).toBe('2024-03-04');
    expect(firstDate('Fecha: 3-4-2024', 'DMY')?.iso).toBe('2024-04-03');
  });

  it('reads month names in Spanish and English, which need no order', () => {
    for (const format of ['DMY', 'MDY'] as const) {
      expect(firstDate('el 3 de abril de 2024', format)?.iso).toBe('2024-04-03');
      expect(firstDate('on April 3, 2024', format)?.iso).toBe('2024-04-03');
      expect(firstDate('03-ABR-2024', format)?.iso).toBe('2024-04-03');
      expect(firstDate('3 Sept 2024', format)?.iso).toBe('2024-09-03');
      expect(firstDate('15 DIC 2023', format)?.iso).toBe('2023-12-15');
      expect(firstDate('2024-04-03', format)?.iso).toBe('2024-04-03');
    }
  });

  it('gives the span of the printed date', () => {
    const text = 'Fecha de nacimiento: 9 de noviembre de 1958   Edad: 64';
    const date = firstDate(text, 'DMY');
    expect(date?.iso).toBe('1958-11-09');
    expect(text.slice(date?.start, date?.end)).toBe('9 de noviembre de 1958');
  });

  it('skips what is no calendar date and two-digit years', () => {
    expect(firstDate('31/02/2024', 'DMY')).toBeNull();
    expect(firstDate('13/05/2024', 'MDY')).toBeNull();
    expect(firstDate('03/04/24', 'DMY')).toBeNull();
    expect(firstDate('Mayo 40, 2024', 'DMY')).toBeNull();
  });

  it('reads dates in words and ISO dates in both languages, as printed in other layouts', () => {
    const read = (text: string) => firstDate(text, 'MDY')?.iso;
    expect(read('F. Nac.: 14 de marzo de 1961')).toBe('1961-03-14');
    expect(read('14 de marzo del 1961')).toBe('1961-03-14');
    expect(read('DOB: Feb 11, 1954')).toBe('1954-02-11');
    expect(read('Date of Birth: 11-FEB-1954')).toBe('1954-02-11');
    expect(read('19/feb/1996')).toBe('1996-02-19');
    expect(read('24/ABR/1954')).toBe('1954-04-24');
    expect(read('1961-03-14')).toBe('1961-03-14');
  });

  it('gives the span of a date in words within its text', () => {
    const text = 'DOB: February 11, 1954   Sex: F';
    const date = firstDate(text, 'MDY');
    expect(text.slice(date?.start, date?.end)).toBe('February 11, 1954');
  });
});
