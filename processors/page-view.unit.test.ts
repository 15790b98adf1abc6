import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { textPdf } from '../test/fixtures/files.ts';
import { image, tiffOf } from '../test/fixtures/images.ts';
import { pdfWithPages } from '../test/fixtures/pdfs.ts';
import { createPageViewer } from './page-view.ts';

const viewer = createPageViewer({ maxWidth: 600, concurrency: 1 });
const sizeOf = async (png: Buffer | null) => {
  const { format, width, height } = await sharp(png ?? Buffer.alloc(0)).metadata();
  return { format, width, height };
};

describe('page view', () => {
  it('draws a PDF page at the maximum width, its text dark on white', async () => {
    const png = await viewer.draw(await textPdf(['Radiology report']), 'application/pdf', 1);
    const { format, width, height = 0 } = await sizeOf(png);
    expect([format, width]).toEqual(['png', 600]);
    expect(Math.abs(height - (600 * 11) / 8.5)).toBeLessThan(2); // Letter is 8.5 x 11 in
    const { min, max } = (await sharp(png ?? undefined).stats()).channels[0]!;
    expect([min < 64, max]).toEqual([true, 255]);
  });

  it('draws the page asked for, and nothing past the last one', async () => {
    const pdf = await pdfWithPages([
      [612, 792],
      [792, 612],
    ]);
    const landscape = await sizeOf(await viewer.draw(pdf, 'application/pdf', 2));
    expect(Math.abs((landscape.height ?? 0) - (600 * 612) / 792)).toBeLessThan(2);
    expect(await viewer.draw(pdf, 'application/pdf', 3)).toBeNull();

    const white = await sharp({
      create: { width: 300, height: 200, channels: 3, background: '#ffffff' },
    })
      .png()
      .toBuffer();
    const tiff = await tiffOf([await image('png', 300, 200), white]);
    const second = await viewer.draw(tiff, 'image/tiff', 2);
    // Smaller than the maximum width: drawn as it is, not enlarged.
    expect(await sizeOf(second)).toEqual({ format: 'png', width: 300, height: 200 });
    expect((await sharp(second ?? undefined).stats()).channels[0]!.min).toBe(255);
    expect(await viewer.draw(tiff, 'image/tiff', 3)).toBeNull();
  });

  it('has no page images for text', () => {
    expect(viewer.draws('text/plain')).toBe(false);
    expect(viewer.draws('image/jpeg')).toBe(true);
    expect(() => viewer.draw(Buffer.from('hola'), 'text/plain', 1)).toThrow(RangeError);
  });
});
