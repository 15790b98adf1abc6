import { describe, expect, it } from 'vitest';
import { flagOf, parseLabRow, parseRange } from './labs.ts';
import type { Line } from './lines.ts';

const line = (text: string): Line => ({ page: 1, start: 100, text, pageConfidence: 0.9 });

describe('lab rows', () => {
  it('reads test, value, printed flag, unit and range, with the span of the row', () => {
    const row = line('Hemoglobina                               10.9 L  g/dL      12.0 - 16.0');
    expect(parseLabRow(row)).toMatchObject({
      test: 'Hemoglobina',
      value: 10.9,
      unit: 'g/dL',
      referenceRange: '12.0 - 16.0',
      referenceLow: 12,
      referenceHigh: 16,
      flag: 'L',
      flagSource: 'printed',
      span: { page: 1, start: 100, end: 100 + row.text.length },
    });
  });

  it('distrusts a value its own flag or range contradicts, as a lost decimal point makes it', () => {
    const read = (text: string) => parseLabRow(line(text))?.span.confidence;
    const trusted = read('Hemoglobina glucosilada (HbA1c)  3.6 L  %  4.0-5.6');
    expect(trusted).toBeGreaterThan(0.8);
    // `3.6 L` read as `36L`: low, says the flag; far above the range, says the value.
    expect(read('Hemoglobina glucosilada (HbA1c)  36L  %  4.0-5.6')).toBeLessThan(0.5);
    // `1.6 H` read as `16H`: ten times the top of a range printed with decimals.
    expect(read('Bilirrubina total  16H  mg/dL  0.1-1.2')).toBeLessThan(0.5);
    // A plainly high value of a range without decimals stays trusted.
    expect(read('Glucosa  126 H  mg/dL  70-100')).toBe(trusted);
  });

  it('computes the flag from the range when none is printed', () => {
    expect(parseLabRow(line('Colesterol total   231   mg/dL   < 200'))).toMatchObject({
      flag: 'H',
      flagSource: 'computed',
      referenceHigh: 200,
      referenceLow: null,
    });
    expect(parseLabRow(line('HDL cholesterol 34 mg/dL > 40'))).toMatchObject({
      flag: 'L',
      flagSource: 'computed',
      referenceLow: 40,
    });
    expect(parseLabRow(line('Glucose 88 mg/dL 70 - 99'))).toMatchObject({
      flag: null,
      flagSource: 'computed',
    });
  });

  it('takes the printed marker over the range, in Spanish or English, before or after the unit', () => {
    expect(parseLabRow(line('Glucosa 120 mg/dL ALTO 70 - 99'))).toMatchObject({
      flag: 'H',
      flagSource: 'printed',
    });
    expect(parseLabRow(line('Potassium 3.1 mmol/L 3.5 - 5.1 Low'))).toMatchObject({
      flag: 'L',
      flagSource: 'printed',
    });
  });

  it('has no flag without a marker or a range, and reads decimal commas and capital units', () => {
    expect(parseLabRow(line('Glucosa promedio estimada   97,5   MG/DL'))).toMatchObject({
      value: 97.5,
      unit: 'mg/dL',
      flag: null,
      flagSource: null,
    });
  });

  it('leaves out labels, sentences and vitals', () => {
    for (const text of [
      'Edad: 64 años',
      'Temp 37.4 °C',
      'Colédoco de 5 mm.',
      'Appendix measuring 6.5 x 1.1 cm with dull serosa and fibrinopurulent',
      '  3  36415 Venipuncture                               $54.00',
    ]) {
      expect(parseLabRow(line(text)), text).toBeNull();
    }
  });

  it('parses ranges and flags on their own', () => {
    expect(parseRange('≥ 60')).toEqual({ low: 60, high: null });
    expect(parseRange('0.6 - 1.2')).toEqual({ low: 0.6, high: 1.2 });
    expect(flagOf(5, undefined, { low: null, high: null })).toEqual({
      flag: null,
      flagSource: null,
    });
  });
});
