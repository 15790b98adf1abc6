import { describe, expect, it } from 'vitest';
import { capText, plainTextPages } from './plain-text.ts';

describe('capText', () => {
  it('leaves a text within the limit as it is', () => {
    expect(capText('Glucosa 126 mg/dL', 64)).toBe('Glucosa 126 mg/dL');
  });

  it('keeps the longest start within the limit, in UTF-8 bytes', () => {
    const capped = capText('abcdefghij', 4);
    expect(capped).toBe('abcd');
  });

  it('never cuts a character in two', () => {
    // "é" is two bytes: the third byte would cut the second "é".
    const capped = capText('ééé', 3);
    expect(capped).toBe('é');
    expect(Buffer.byteLength(capped)).toBeLessThanOrEqual(3);
  });

  it('never cuts a character outside the basic plane in two', () => {
    expect(capText('a🧪b', 4)).toBe('a');
    expect(capText('a🧪b', 5)).toBe('a🧪');
  });
});

describe('plainTextPages', () => {
  it('reads one page, tidied, cut at the limit', () => {
    const bytes = Buffer.from('Potasio 3.6 mmol/L   \r\n\r\n\r\n\r\nSodio 140 mmol/L\n');
    expect(plainTextPages(bytes, 1024)).toEqual([
      {
        page: 1,
        method: 'plain-text',
        confidence: 1,
        text: 'Potasio 3.6 mmol/L\n\nSodio 140 mmol/L',
      },
    ]);
    expect(plainTextPages(bytes, 7)[0]?.text).toBe('Potasio');
  });

  it('reads a file that is not UTF-8 as Windows-1252', () => {
    const latin = Buffer.from([0x46, 0xe9, 0x6d, 0x75, 0x72]); // "Fémur" in Windows-1252
    expect(plainTextPages(latin, 1024)[0]?.text).toBe('Fémur');
  });
});
