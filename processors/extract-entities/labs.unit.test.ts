import { describe, expect, it } from 'vitest';
import { extractLabs, flagOf, parseLabRow, parseRange } from './labs.ts';
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

  it('reads rows in other column orders, separators, range brackets and flag marks', () => {
    const read = (text: string) => {
      const lab = parseLabRow(line(text));
      return lab && [lab.test, lab.value, lab.unit, lab.referenceRange, lab.flag];
    };
    expect(read('Glucosa 110 mg/dL (70-100) ALTO')).toEqual([
      'Glucosa',
      110,
      'mg/dL',
      '70-100',
      'H',
    ]);
    expect(read('Glucose|110|mg/dL|[70 - 99]|H')).toEqual([
      'Glucose',
      110,
      'mg/dL',
      '70 - 99',
      'H',
    ]);
    expect(read('Potasio\t3,1\tmmol/L\t3,5 a 5,1\t↓')).toEqual([
      'Potasio',
      3.1,
      'mmol/L',
      '3,5 a 5,1',
      'L',
    ]);
    expect(read('Sodio ....................... 150  mmol/L  135 - 145')).toEqual([
      'Sodio',
      150,
      'mmol/L',
      '135 - 145',
      'H',
    ]);
    expect(read('Hemoglobin   L   9.8   g/dL   12.0 - 16.0')).toEqual([
      'Hemoglobin',
      9.8,
      'g/dL',
      '12.0 - 16.0',
      'L',
    ]);
    expect(read('Colesterol total (mg/dL)   243   (<200)   *')).toEqual([
      'Colesterol total',
      243,
      'mg/dL',
      '<200',
      'H',
    ]);
    expect(read('HDL cholesterol 35 ↓ mg/dL >40')).toEqual([
      'HDL cholesterol',
      35,
      'mg/dL',
      '>40',
      'L',
    ]);
  });

  it('reads a percent sign printed against its value', () => {
    expect(parseLabRow(line('Hematocrit  33.1%  L  36.0 - 46.0'))).toMatchObject({
      value: 33.1,
      unit: '%',
      flag: 'L',
      referenceRange: '36.0 - 46.0',
    });
  });

  it('takes a star for abnormal and lets the range say which way', () => {
    expect(parseLabRow(line('Albumin  2.9  *  g/dL  3.5 - 5.0'))).toMatchObject({ flag: 'L' });
  });

  it('leaves out rows with cells it cannot account for', () => {
    for (const text of [
      'Calle 60 No. 412, Centro, Mérida, Yuc.',
      'Folio 778812 Orden 55-123456',
      'Glucosa 110 mg/dL según el laboratorio',
    ]) {
      expect(parseLabRow(line(text)), text).toBeNull();
    }
  });

  it('reads results named in a sentence, with no flag since nothing on the page gives one', () => {
    const labs = extractLabs([
      line('Laboratorios: se documenta glucosa de 164 mg/dL, creatinina de 1,3 mg/dL.'),
    ]);
    expect(labs.map((lab) => [lab.test, lab.value, lab.unit, lab.flag])).toEqual([
      ['glucosa', 164, 'mg/dL', null],
      ['creatinina', 1.3, 'mg/dL', null],
    ]);
    const [first] = labs;
    expect(first?.span).toMatchObject({
      start: 100 + 27,
      end: 100 + 27 + 'glucosa de 164 mg/dL'.length,
    });
  });

  it('takes in a sentence only analytes it knows, not vitals or measurements', () => {
    const sentence =
      'Signos vitales: TA 130/80 mmHg, FC 78 lpm, SpO2 94 %; lesión de 5 mm/h aprox.';
    expect(extractLabs([line(sentence)])).toEqual([]);
  });
});
