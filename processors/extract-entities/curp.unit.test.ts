import { describe, expect, it } from 'vitest';
import { buildCurp } from '../../test/fixtures/corpus/curp.ts';
import { curpCheckDigit, validCurp } from './curp.ts';

const CURP = buildCurp({
  paternalSurname: 'García',
  maternalSurname: 'Hernández',
  givenNames: 'María Guadalupe',
  dateOfBirth: '1985-03-07',
  sex: 'F',
  stateCode: 'DF',
  differentiator: 4,
});

describe('CURP', () => {
  it('accepts a well-formed CURP whose check digit agrees', () => {
    expect(CURP).toMatch(/^GAHG850307MDFRRD4\d$/);
    expect(validCurp(CURP)).toBe(CURP);
    expect(validCurp(CURP.toLowerCase())).toBe(CURP);
  });

  it('rejects a CURP whose check digit disagrees: one character misread', () => {
    const wrongDigit = `${CURP.slice(0, 17)}${(Number(CURP[17]) + 1) % 10}`;
    expect(validCurp(wrongDigit)).toBeNull();
    expect(validCurp(`${CURP.slice(0, 4)}850308${CURP.slice(10)}`)).toBeNull();
  });

  it('rejects what does not have the format', () => {
    expect(validCurp(CURP.slice(0, 17))).toBeNull();
    expect(validCurp(`${CURP.slice(0, 10)}X${CURP.slice(11)}`)).toBeNull();
  });

  it('reads back letters OCR took for digits and digits it took for letters', () => {
    const misread = `GAHG85O3O7MDFRRD4${CURP[17]}`.replace('GAHG', 'GAH6');
    expect(validCurp(misread)).toBe(CURP);
  });

  it('computes the check digit RENAPO does', () => {
    // B11·18 + A10·17 + D13·16 + D13·15 + 1·14 + 1·13 + 0 + 3·11 + 1·10 + 3·9 + H17·8 + C12·7
    // + M22·6 + L21·5 + N23·4 + S29·3 + 0 = 1504; (10 - 4) mod 10 = 6.
    expect(curpCheckDigit('BADD110313HCMLNS0')).toBe('6');
  });
});
