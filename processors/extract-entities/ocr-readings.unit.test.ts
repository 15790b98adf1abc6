import { describe, expect, it } from 'vitest';
import { allFields } from './fields.ts';
import { extractLabs, parseLabRow } from './labs.ts';
import { linesOf } from './lines.ts';
import { isUnreadableMark, testNameFromOcr, unitFromOcr } from './ocr-readings.ts';

const row = (text: string) => parseLabRow({ page: 1, start: 0, text, pageConfidence: 0.9 });
const fieldsIn = (text: string) =>
  allFields(linesOf([{ page: 1, text, confidence: 0.9 }])).map(({ kind, value }) => [kind, value]);

describe('lab units as OCR reads them', () => {
  it('reads a caret read as a digit, a quote or a slash back as the caret', () => {
    // given the readings tesseract gives of `10^3/uL` and `10^6/uL`
    const readings = ['1073/uL', '1013/uL', '10"3/uL', '103/UL', '10/3/uL', '10^3/UL', '1076/uL'];
    // when each is read back, then each is the unit that was printed
    expect(readings.map(unitFromOcr)).toEqual([
      '10^3/uL',
      '10^3/uL',
      '10^3/uL',
      '10^3/uL',
      '10^3/uL',
      '10^3/uL',
      '10^6/uL',
    ]);
  });

  it('reads `uIU` with its I read as l, 1 or a pipe', () => {
    expect(['ulU/mL', 'u1U/mL', 'u|U/ML'].map(unitFromOcr)).toEqual(['uIU/mL', 'uIU/mL', 'uIU/mL']);
  });

  it('leaves alone what could be another unit', () => {
    expect(['mg/dL', '1053/uL', '10^3/mL', 'IU/mL', 'U/L'].map(unitFromOcr)).toEqual([
      null,
      null,
      null,
      null,
      null,
    ]);
  });

  it('reads a row whose unit OCR damaged, in its own cell or in the test name', () => {
    expect(row('Platelets                              255      1073/uL 150-450')).toMatchObject({
      test: 'Platelets',
      value: 255,
      unit: '10^3/uL',
      flag: null,
    });
    expect(row('Leucocitos (10"3/uL)                      6,4     (4,5-11,0)')).toMatchObject({
      test: 'Leucocitos',
      value: 6.4,
      unit: '10^3/uL',
    });
    expect(row('TSH                                   1.68 ulU/mL 0.40 - 4.00')?.unit).toBe(
      'uIU/mL',
    );
  });
});

describe('test names and flags as OCR reads them', () => {
  it('drops a dotted leader read as letters or dashes after the name', () => {
    // given leaders read as `coi`, `oii`, `——_` and a lone point
    const names = ['ALT coi', 'AST oii', 'Total bilirubin ——_', 'Estimated average glucose .'];
    // then the names are the tests' own
    expect(names.map(testNameFromOcr)).toEqual([
      'ALT',
      'AST',
      'Total bilirubin',
      'Estimated average glucose',
    ]);
    expect(row('ALT coi 48 U/L 7-56')).toMatchObject({ test: 'ALT', value: 48, unit: 'U/L' });
  });

  it('keeps the words of a name, and reads a capital I inside a word as l', () => {
    expect(testNameFromOcr('Colesterol total')).toBe('Colesterol total');
    expect(testNameFromOcr('Vitamina D')).toBe('Vitamina D');
    expect(testNameFromOcr('AIbumin')).toBe('Albumin');
    expect(testNameFromOcr('HbA1c')).toBe('HbA1c');
    expect(testNameFromOcr('Hemoglobin Alc')).toBe('Hemoglobin A1c');
    expect(testNameFromOcr('HbAIc')).toBe('HbA1c');
  });

  it('on an OCR page, takes a known test followed by lower-case debris for that test', () => {
    // given a long leader read as words after tests of the vocabulary
    const ocrRow = (text: string) => parseLabRow({ page: 1, start: 0, text, pageConfidence: 0.9 });
    expect(ocrRow('Hematocrito eeee 63.5 % 36.0-46.0 ALTO')?.test).toBe('Hematocrito');
    expect(ocrRow('platelets said si aaa 445 103/uL (150-450)')).toMatchObject({
      test: 'platelets',
      unit: '10^3/uL',
    });
    expect(ocrRow('Free T4 ..........ANSI ARO A 1.61 ng/dL (0.80-1.80)')?.test).toBe('Free T4');
    // a capital or a bracket after the test is part of its name
    expect(ocrRow('Tiroxina libre (T4L) 2.29 ng/dL 0.80 - 1.80')?.test).toBe(
      'Tiroxina libre (T4L)',
    );
    // and a text layer is taken as printed
    const textRow = parseLabRow({
      page: 1,
      start: 0,
      text: 'Glucosa capilar 98 mg/dL',
      pageConfidence: 1,
    });
    expect(textRow?.test).toBe('Glucosa capilar');
  });

  it('reads two points as a leader, and a value with a stray point after it', () => {
    expect(row('Triglicéridos .........        ..118 mg/dL <150')).toMatchObject({
      test: 'Triglicéridos',
      value: 118,
    });
    expect(row('Hematocrit (%) 45.2. (36.0-46.0)')).toMatchObject({ value: 45.2, unit: '%' });
  });

  it('reads `UL` as `U/L` and a curly bracket as a square one', () => {
    expect(row('Alanina aminotransferasa (TGP)         5        (L) UL       7a56')).toMatchObject({
      value: 5,
      unit: 'U/L',
      flag: 'L',
    });
    expect(row('TSH | 3.16 | ulu/mL | {0.40 - 4.00] |')).toMatchObject({
      unit: 'uIU/mL',
      referenceRange: '0.40 - 4.00',
    });
  });

  it('takes a stray glyph in the flag column for an arrow it cannot read: the range decides', () => {
    expect(['{', 'T', '1', '?', '+'].every(isUnreadableMark)).toBe(true);
    expect(['H', 'L', '12', 'ALTO'].some(isUnreadableMark)).toBe(false);
    // given `↓` read as `{` after a range, when the row is read, then the flag is the range's
    expect(row('Hormona estimulante de tiroides (TSH) (ulU/mL) 0.26 0.40-4.00 {')).toMatchObject({
      value: 0.26,
      unit: 'uIU/mL',
      flag: 'L',
      flagSource: 'computed',
    });
    // a glyph with no range to decide is no row
    expect(row('Glucosa 45 mg/dL {')).toBeNull();
  });
});

describe('lab lines as the page wraps them and OCR reads them', () => {
  const labsIn = (text: string) =>
    extractLabs(linesOf([{ page: 1, text, confidence: 0.9 }])).map(
      (lab) => `${lab.test}|${lab.value}|${lab.unit}`,
    );

  it('reads a sentence wrapped between a value and its unit, or a test and its value', () => {
    // given prose that the page wrapped, once after a value and once after `en`
    const text = [
      'se documenta sodio de 138 mmol/L, plaquetas de 282',
      '10/3/uL, creatinina de 0.70 mg/dL.',
      'se reporta glucosa en 74 mg/dL y hemoglobina en',
      '14.5 g/dL.',
    ].join('\n');
    // then every result is read once, the wrapped ones too
    expect(labsIn(text)).toEqual([
      'sodio|138|mmol/L',
      'plaquetas|282|10^3/uL',
      'creatinina|0.7|mg/dL',
      'glucosa|74|mg/dL',
      'hemoglobina|14.5|g/dL',
    ]);
  });

  it('reads a capital I that begins `ldl` as the l it was', () => {
    expect(labsIn('se reporta hematocrito en 43.8 % y colesterol Idl en 92 mg/dL.')).toEqual([
      'hematocrito|43.8|%',
      'colesterol ldl|92|mg/dL',
    ]);
    expect(labsIn('Iron was 80 ug/dL.')).toEqual(['Iron|80|ug/dL']);
  });

  it('takes a line whose words before the value end in `of` or `was` for prose, not a row', () => {
    expect(labsIn('albumin of 3.8 g/dL.')).toEqual(['albumin|3.8|g/dL']);
    expect(labsIn('was 6.7 mg/dL.')).toEqual([]);
  });

  it('reads a bracket with a column edge before it, and a unit cell with a blank inside', () => {
    expect(row('Hemoglobina (g/dL)                       13,6 1(12,0- 16,0)')).toMatchObject({
      value: 13.6,
      unit: 'g/dL',
      referenceRange: '12,0- 16,0',
    });
    expect(row('Nitrógeno ureico (BUN) (mg/dL )|5|7 a 20|')).toMatchObject({
      test: 'Nitrógeno ureico (BUN)',
      unit: 'mg/dL',
      flag: 'L',
    });
  });
});

describe('header fields as OCR reads them', () => {
  it('takes a semicolon after a label for its colon', () => {
    expect(fieldsIn('Birth Date; 07-OCT-1997')).toEqual([['dateOfBirth', '07-OCT-1997']]);
    // a semicolon after words that are no label of ours stays one
    expect(fieldsIn('Reposo; dieta blanda')).toEqual([]);
  });

  it('takes the value of a label that ends its line from the start of the next', () => {
    // given a one-line header wrapped by the page between a label and its value
    const text = 'Nombre: NÚÑEZ JOSÉ | EXPEDIENTE: 123281 | FECHA DE NACIMIENTO:\n1961-09-02';
    // then the date of birth is the next line's start
    expect(fieldsIn(text)).toContainEqual(['dateOfBirth', '1961-09-02']);
  });

  it('completes a date cut at its `de`, and reads the next line on from there', () => {
    const text = 'No. Exp.: 768934 Fecha de nacimiento: 6 de mayo de\n1991 Sexo: Masculino';
    const fields = fieldsIn(text);
    expect(fields).toContainEqual(['dateOfBirth', '6 de mayo de 1991']);
    expect(fields).toContainEqual(['sex', 'Masculino']);
  });

  it('takes nothing from a next line that starts with a label of its own', () => {
    expect(fieldsIn('Paciente:\nSexo: F')).toEqual([
      ['name', ''],
      ['sex', 'F'],
    ]);
  });
});
