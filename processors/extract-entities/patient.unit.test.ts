import { describe, expect, it } from 'vitest';
import { allFields } from './fields.ts';
import { linesOf } from './lines.ts';
import { extractPatientName, extractSex, readBackLetters } from './patient.ts';

const fields = (text: string) => allFields(linesOf([{ page: 1, text, confidence: 1 }]));
const CURP_OF_A_WOMAN = {
  kind: 'curp',
  value: 'RUOA771201MNLZRR58',
  span: { page: 1, start: 0, end: 18, confidence: 1 },
};

describe('the patient', () => {
  it('splits SURNAMES, NAMES and leaves other orders unsplit', () => {
    expect(extractPatientName(fields('Paciente: MUÑOZ CHÁVEZ, MÓNICA'))).toMatchObject({
      value: 'MUÑOZ CHÁVEZ, MÓNICA',
      surnames: 'MUÑOZ CHÁVEZ',
      givenNames: 'MÓNICA',
    });
    expect(extractPatientName(fields('Nombre: MENDOZA REYES LETICIA'))).toMatchObject({
      surnames: null,
      givenNames: null,
    });
  });

  it('fills the parts from separate surname and given-name fields', () => {
    expect(
      extractPatientName(fields('Apellidos: García López\nNombre(s): Ana Sofía')),
    ).toMatchObject({
      value: 'Ana Sofía García López',
      surnames: 'García López',
      givenNames: 'Ana Sofía',
    });
  });

  it('reads back digits OCR put in a name, keeping offsets', () => {
    expect(readBackLetters('5amantha Jo MO0RE')).toBe('samantha Jo MOORE');
    const name = extractPatientName(fields('Patient: 5amantha Jo MO0RE   MRN: 00123456'));
    expect(name).toMatchObject({ value: 'samantha Jo MOORE', span: { start: 9, end: 26 } });
  });

  it('is nobody when the label holds no name', () => {
    expect(extractPatientName(fields('Paciente: 12345'))).toBeNull();
  });

  it('reads sex in words and letters; a lone M in Spanish follows the CURP', () => {
    expect(extractSex(fields('Sexo: Femenino'), 'spa', [])?.value).toBe('F');
    expect(extractSex(fields('Sex: Male'), 'eng', [])?.value).toBe('M');
    expect(extractSex(fields('Género: Mujer'), 'spa', [])?.value).toBe('F');
    expect(extractSex(fields('Sexo: H'), 'spa', [])?.value).toBe('M');
    expect(extractSex(fields('Sexo: M'), 'spa', [CURP_OF_A_WOMAN])?.value).toBe('F');
    expect(extractSex(fields('Sex: M'), 'eng', [CURP_OF_A_WOMAN])?.value).toBe('M');
    expect(extractSex(fields('Sexo: M'), 'spa', [])?.span.confidence).toBeLessThan(0.9);
  });
});

describe('a patient header printed on one line', () => {
  it('gives the record number, the date of birth and the whole name, split', async () => {
    const { extractEntities } = await import('./extract.ts');
    const text =
      'Paciente: GARCÍA LÓPEZ, MARÍA GUADALUPE  Expediente: 123456  Fecha de nacimiento: 14 de marzo de 1961';
    const found = extractEntities([{ page: 1, text, confidence: 1 }], 'spa');
    expect(found.identifiers.map(({ kind, value }) => [kind, value])).toEqual([
      ['record-number', '123456'],
    ]);
    expect(found.dateOfBirth?.value).toBe('1961-03-14');
    expect(found.patientName).toMatchObject({
      surnames: 'GARCÍA LÓPEZ',
      givenNames: 'MARÍA GUADALUPE',
    });
  });
});
