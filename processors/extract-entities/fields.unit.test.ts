import { describe, expect, it } from 'vitest';
import { fieldsOf } from './fields.ts';
import type { Line } from './lines.ts';

const line = (text: string): Line => ({ page: 1, start: 0, text, pageConfidence: 1 });
const pairs = (text: string) => fieldsOf(line(text)).map(({ kind, value }) => [kind, value]);

describe('labelled fields', () => {
  it('reads several fields set out in columns', () => {
    expect(pairs('Exp.: 153209   CURP: ROZA581109MQTDXR57')).toEqual([
      ['record-number', '153209'],
      ['curp', 'ROZA581109MQTDXR57'],
    ]);
  });

  it('ends a value where the next label starts once OCR has eaten the columns', () => {
    expect(pairs('Patient:   PATEL, KAREN MRN: 05871214')).toEqual([
      ['name', 'PATEL, KAREN'],
      ['mrn', '05871214'],
    ]);
    expect(pairs('Patient: PATEL, KAREN MRN: 05871214')).toEqual([
      ['name', 'PATEL, KAREN'],
      ['mrn', '05871214'],
    ]);
    expect(pairs('Fecha de nacimiento: 09/11/1958 Edad: 64 años Sexo: Femenino')).toEqual([
      ['dateOfBirth', '09/11/1958'],
      ['age', '64 años'],
      ['sex', 'Femenino'],
    ]);
  });

  it('knows labels through capitals, lost accents and 0/O, 1/l slips', () => {
    expect(pairs('PAC1ENTE: ANA LOPEZ')).toEqual([['name', 'ANA LOPEZ']]);
    expect(pairs('Fecha de nacim1ent0: 01/02/1990')[0]?.[0]).toBe('dateOfBirth');
    expect(pairs('D1agn0st1co: Gastritis crónica')[0]?.[0]).toBe('diagnosis');
    expect(pairs('No. de Expedlente: 4471')[0]).toEqual(['record-number', '4471']);
  });

  it('takes a label that opens the line whole: an indication is no clinic', () => {
    expect(pairs('Indicación clínica: Dolor y fiebre')[0]?.[0]).toBe('other');
  });

  it('tells dates of the encounter from births, admissions and next visits', () => {
    expect(pairs('Fecha de egreso: 03/11/2023')[0]?.[0]).toBe('encounterDate');
    expect(pairs('Fecha de ingreso: 29/10/2023')[0]?.[0]).toBe('otherDate');
    expect(pairs('Return visit: 03/11/2024')[0]?.[0]).toBe('otherDate');
    expect(pairs('Collected: 06/08/2024')[0]?.[0]).toBe('collectionDate');
  });

  it('gives value offsets within the line and leaves times alone', () => {
    const [field] = fieldsOf(line('Hora:  09:30 hrs'));
    expect(field).toMatchObject({ value: '09:30 hrs', valueStart: 7, valueEnd: 16 });
  });

  it('reads a whole patient header printed on one line, whatever the gaps between fields', () => {
    const header =
      'Paciente: GARCÍA LÓPEZ, MARÍA  Expediente: 123456  Fecha de nacimiento: 14/03/1961';
    expect(pairs(header)).toEqual([
      ['name', 'GARCÍA LÓPEZ, MARÍA'],
      ['record-number', '123456'],
      ['dateOfBirth', '14/03/1961'],
    ]);
    expect(pairs('MR#: 09885310 |  Name: THOMAS, EMILY |  Birth Date: 1959-08-24')).toEqual([
      ['mrn', '09885310'],
      ['name', 'THOMAS, EMILY'],
      ['dateOfBirth', '1959-08-24'],
    ]);
    expect(pairs('Name: Moore, Jennifer\tMed Rec No.: 06703650\tDOB: 03.27.1986')).toEqual([
      ['name', 'Moore, Jennifer'],
      ['mrn', '06703650'],
      ['dateOfBirth', '03.27.1986'],
    ]);
  });

  it('prefers a label it knows to any label naming a date', () => {
    expect(pairs('Med Rec No.: 08870426 DATE OF BIRTH: 2/16/1978')).toEqual([
      ['mrn', '08870426'],
      ['dateOfBirth', '2/16/1978'],
    ]);
  });

  it('reads a label of ours followed by a wide gap instead of a colon', () => {
    expect(pairs('DOB                   03/14/1961')).toEqual([['dateOfBirth', '03/14/1961']]);
    expect(pairs('No. de expediente     160645')).toEqual([['record-number', '160645']]);
    expect(pairs('Glucosa               110 mg/dL')).toEqual([]);
  });
});
