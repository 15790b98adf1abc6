import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { textPdf } from '../../test/fixtures/files.ts';
import { openPdf } from '../pdf.ts';
import {
  imagePageCount,
  OCR_RENDER,
  prepareForOcr,
  renderDpi,
  renderPdfPage,
} from './page-images.ts';

const LETTER = { width: 612, height: 792 };

/** Grey paper (180) with a dark bar (100) across x 5-24, y 5-14; `speck` puts a black pixel. */
function faded(width: number, height: number, speck?: { x: number; y: number }): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height, 180);
  for (let y = 5; y < 15; y++) pixels.fill(100, y * width + 5, y * width + 25);
  if (speck) pixels[speck.y * width + speck.x] = 0;
  return sharp(pixels, { raw: { width, height, channels: 1 } })
    .png()
    .toBuffer();
}

const greyPixels = (png: Buffer) => sharp(png).extractChannel(0).raw().toBuffer();

describe('page images', () => {
  it('renders a Letter page at 300 dpi, and a poster at the dpi that fits the pixel limit', () => {
    expect(renderDpi(LETTER.width, LETTER.height, OCR_RENDER)).toBe(300);
    const posterDpi = renderDpi(1728, 2592, OCR_RENDER); // 24 x 36 in
    expect(posterDpi).toBeLessThan(300);
    expect((24 * posterDpi * 36 * posterDpi) / OCR_RENDER.maxPixels).toBeLessThanOrEqual(1);
  });

  it('rasterises a PDF page to a greyscale PNG of the page size at that dpi', async () => {
    const pdf = await openPdf(await textPdf(['Radiology report']));
    try {
      const image = await renderPdfPage(pdf, 1, { dpi: 100, maxPixels: 10_000_000 });
      expect([image.width, image.height, image.dpi]).toEqual([850, 1100, 100]);
      const meta = await sharp(image.png).metadata();
      expect([meta.format, meta.width, meta.channels]).toEqual(['png', 850, 1]);
      const { min } = (await sharp(image.png).stats()).channels[0]!;
      expect(min).toBeLessThan(64); // the text is there, dark on white
    } finally {
      await pdf.destroy();
    }
  });

  it('upscales a small image to a greyscale one of the minimum width', async () => {
    const prepared = await prepareForOcr(await faded(400, 300), { minWidth: 800 });
    const meta = await sharp(prepared).metadata();
    expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(['png', 800, 600, 1]);
  });

  it('stretches a page of non-square pixels, such as a fax, to square ones', async () => {
    const prepared = await prepareForOcr(await faded(400, 100), {
      minWidth: 800,
      verticalStretch: 204 / 98,
    });
    const meta = await sharp(prepared).metadata();
    expect([meta.width, meta.height]).toEqual([800, Math.round(100 * 2 * (204 / 98))]);
  });

  it('removes lone specks and keeps solid marks', async () => {
    const speckled = await faded(100, 60, { x: 70, y: 40 });
    expect((await greyPixels(speckled))[40 * 100 + 70]).toBe(0);
    const pixels = await greyPixels(await prepareForOcr(speckled, { minWidth: 0 }));
    expect(pixels[40 * 100 + 70]).toBe(180); // the speck took the paper's grey
    expect(pixels[10 * 100 + 15]).toBe(100); // the bar is still there
  });

  it('turns a photo upright by its EXIF orientation', async () => {
    const sideways = await sharp(await faded(300, 200))
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const meta = await sharp(await prepareForOcr(sideways, { minWidth: 0 })).metadata();
    expect([meta.width, meta.height]).toEqual([200, 300]);
  });

  it('finds every page of a multi-page TIFF and prepares each one', async () => {
    const page = await sharp(await faded(120, 80))
      .raw()
      .toBuffer({ resolveWithObject: true });
    const tiff = await sharp(Buffer.concat([page.data, Buffer.alloc(page.data.length, 255)]), {
      raw: { width: 120, height: 160, channels: page.info.channels, pageHeight: 80 },
    })
      .tiff()
      .toBuffer();
    expect(await imagePageCount(tiff)).toBe(2);
    const second = await sharp(await prepareForOcr(tiff, { page: 1, minWidth: 0 })).stats();
    expect(second.channels[0]!.min).toBe(255); // the blank page, not the first one again
  });
});
