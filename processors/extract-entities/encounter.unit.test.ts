import { describe, expect, it } from 'vitest';
import { extractDates, extractFacility, extractProvider } from './encounter.ts';
import { allFields } from './fields.ts';
import { linesOf } from './lines.ts';

const read = (text: string) => {
  const lines = linesOf([{ page: 1, text, confidence: 1 }]);
  return { lines, fields: allFields(lines) };
};

describe('the encounter', () => {
  it('dates the encounter by the first date that is not a birth or an admission', () => {
    const { fields } = read(
      'Fecha de nacimiento: 01/12/1977\nFecha de ingreso: 29/10/2023\nFecha de egreso: 03/11/2023',
    );
    expect(extractDates(fields, 'DMY')).toMatchObject({
      encounterDate: { value: '2023-11-03' },
      collectionDate: null,
    });
  });

  it('takes the provider from its label, else from the signature before a licence', () => {
    const labelled = read(
      'Ordering physician: Michael R. Grant, DO\nPriya Raman, MD   NPI 1293386429',
    );
    expect(extractProvider(labelled.fields, labelled.lines)?.value).toBe('Michael R. Grant, DO');
    const signed = read('Médico radiólogo\nDra. Sofía Landa Quiroz   Céd. Prof. 5455468');
    expect(extractProvider(signed.fields, signed.lines)?.value).toBe('Dra. Sofía Landa Quiroz');
  });

  it('finds the facility in the letterhead, not in the title or the address', () => {
    const { fields, lines } = read(
      'HOSPITAL DISCHARGE SUMMARY\nAv. Hospital 278, Guadalajara\nInstituto de Salud del Estado\nHospital Civil Fray Bartolomé',
    );
    expect(extractFacility(fields, lines)?.value).toBe('Hospital Civil Fray Bartolomé');
  });
});
