import { describe, expect, it } from 'vitest';
import { detectLanguage } from './language.ts';

describe('language', () => {
  it('tells English from Spanish in clinical text full of numbers', () => {
    expect(
      detectLanguage(
        'Patient: NGUYEN, JENNIFER MRN: 08511987 DOB: 08/01/1961\nTriglycerides 183 H mg/dL < 150\nValues flagged H or L are outside the reference range.',
      ),
    ).toBe('eng');
    expect(
      detectLanguage(
        'Paciente: IBÁÑEZ GARCÍA ÓSCAR Expediente: 732221\nHemoglobina glucosilada (HbA1c) 3.4 L %\nLos valores marcados con H o L están fuera del intervalo de referencia.',
      ),
    ).toBe('spa');
  });

  it('is undecided on text too short to tell, or with no words at all', () => {
    expect(detectLanguage('Dr. Samuel Okafor')).toBe('und');
    expect(detectLanguage('13.5 4.0 - 10.5 245 150 - 400 08/01/1961 78731')).toBe('und');
    expect(detectLanguage('')).toBe('und');
  });
});
