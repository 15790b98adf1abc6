import { describe, expect, it } from 'vitest';
import { png, refused, textPdf } from '../../test/fixtures/files.ts';
import { detectMediaType } from './content-type.ts';

describe('detectMediaType', () => {
  it('recognises the allowed formats by their bytes', async () => {
    expect(await detectMediaType(await textPdf(['Hemoglobina 13.5 g/dL']))).toBe('application/pdf');
    expect(await detectMediaType(png())).toBe('image/png');
    expect(
      await detectMediaType(Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex')),
    ).toBe('image/jpeg');
    expect(await detectMediaType(Buffer.from('49492a000800000000000000', 'hex'))).toBe(
      'image/tiff',
    );
    expect(await detectMediaType(Buffer.from('Paciente: María Pérez\nGlucosa 98 mg/dL\n'))).toBe(
      'text/plain',
    );
  });

  it('refuses other formats and binary that is not text', async () => {
    for (const bytes of Object.values(refused)) {
      expect(await detectMediaType(bytes)).toBeNull();
    }
    expect(await detectMediaType(Buffer.from([0xc3, 0x28, 0x41]))).toBeNull();
    expect(await detectMediaType(Buffer.alloc(0))).toBeNull();
  });

  it('accepts a text sample cut inside a multi-byte character', async () => {
    const sample = Buffer.from(`a${'é'.repeat(3000)}`).subarray(0, 4100);
    expect(sample.at(-1)).toBe(0xc3);
    expect(await detectMediaType(sample)).toBe('text/plain');
  });
});
