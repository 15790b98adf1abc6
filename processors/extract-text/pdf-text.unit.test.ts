import type { TextItem } from 'pdfjs-dist/types/src/display/api.js';
import { describe, expect, it } from 'vitest';
import { textPdf } from '../../test/fixtures/files.ts';
import { openPdf } from '../pdf.ts';
import { isUsableTextLayer, joinLines, pageTextLayer, tidy } from './pdf-text.ts';

/** A run of text at (x, y) in a 10 pt font, about 5 pt per character. */
const run = (str: string, x: number, y: number, hasEOL = false): TextItem => ({
  str,
  dir: 'ltr',
  transform: [10, 0, 0, 10, x, y],
  width: str.length * 5,
  height: 10,
  fontName: 'g_d0_f1',
  hasEOL,
});

describe('text layer', () => {
  it('keeps the lines of a page as lines', async () => {
    const lines = ['Hemoglobina 13.5 g/dL', 'Leucocitos 11.2 x10^9/L', 'Plaquetas 245 x10^9/L'];
    const pdf = await openPdf(await textPdf(lines));
    try {
      expect(await pageTextLayer(pdf, 1)).toBe(lines.join('\n'));
    } finally {
      await pdf.destroy();
    }
  });

  it('breaks lines where the baseline moves, even without an end-of-line mark', () => {
    const items = [run('Glucose', 72, 700), run('98 mg/dL', 72, 686), run('Sodium', 72, 672, true)];
    expect(joinLines(items)).toBe('Glucose\n98 mg/dL\nSodium');
  });

  it('puts a space between runs placed apart on one line, and none between touching runs', () => {
    const items = [run('Result', 72, 700), run('13.5', 200, 700), run('g/dL', 220, 700)];
    expect(joinLines(items)).toBe('Result 13.5g/dL');
  });

  it('ignores runs on the same line that overlap slightly in height (superscripts)', () => {
    const items = [run('x10', 72, 700), run('9', 87, 703), run('/L', 92, 700)];
    expect(joinLines(items)).toBe('x109/L');
  });

  it('tidies trailing spaces, Windows line ends and runs of blank lines', () => {
    expect(tidy('\n first  \r\n\r\n\r\n\r\nsecond\t\n\n')).toBe('first\n\nsecond');
  });

  it('trusts a text layer only with enough readable characters', () => {
    expect(isUsableTextLayer('Page 1 of 3', 32)).toBe(false);
    expect(isUsableTextLayer('Informe de alta: evolución favorable, sin complicaciones.', 32)).toBe(
      true,
    );
    const unmapped = '\uE001\uE002\uE003 \uE004\uE005'.repeat(10);
    expect(isUsableTextLayer(unmapped, 32)).toBe(false);
  });
});
