import { access } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textPdf } from '../../test/fixtures/files.ts';
import { openPdf } from '../pdf.ts';
import { languageDataDir } from './language-data.ts';
import { createOcrPool } from './ocr-pool.ts';
import { renderPdfPage } from './page-images.ts';

/** One printed line, cut out of its page: small enough to read in a fraction of a second. */
async function lineImage(text: string): Promise<Buffer> {
  const pdf = await openPdf(await textPdf([text]));
  try {
    const { png } = await renderPdfPage(pdf, 1, { dpi: 300, maxPixels: 10_000_000 });
    return sharp(png).extract({ left: 250, top: 250, width: 1400, height: 120 }).png().toBuffer();
  } finally {
    await pdf.destroy();
  }
}

describe('OCR pool', () => {
  const lines = ['Hemoglobin 13.5 g/dL', 'Leucocitos 11.2', 'Platelets 245', 'Glucosa 98 mg/dL'];
  let images: Buffer[];
  beforeAll(async () => {
    images = await Promise.all(lines.map(lineImage));
  });

  it('reads its language data from the installed packages, through a local directory', async () => {
    const dir = await languageDataDir('eng+spa', '4.0.0_best_int');
    expect(path.isAbsolute(dir)).toBe(true);
    await access(path.join(dir, 'eng.traineddata.gz'));
    await access(path.join(dir, 'spa.traineddata.gz'));
    await expect(languageDataDir('xyz', '4.0.0_best_int')).rejects.toThrow(/no language data/);
  });

  describe('with one worker recycled every two pages', () => {
    const pool = createOcrPool({ workers: 1, languages: 'eng+spa', recycleAfterPages: 2 });
    afterAll(() => pool.terminate());

    it('reads every queued page, in both languages, across recycling', async () => {
      const queued = [...images, ...images.slice(0, 1)].map((image) => pool.recognize(image));
      const results = await Promise.all(queued);
      expect(results.map((r) => r.text.trim())).toEqual([...lines, lines[0]]);
      for (const { confidence } of results) expect(confidence).toBeGreaterThan(0.8);
      expect(pool.stats()).toEqual({ workers: 1, pagesDone: 5, recycled: 2 });
    });

    it('fails a page that is not an image, and reads the next one on a fresh worker', async () => {
      const before = pool.stats().recycled;
      await expect(pool.recognize(Buffer.from('not an image at all'))).rejects.toBeInstanceOf(
        Error,
      );
      expect(pool.stats().recycled).toBe(before + 1);
      expect((await pool.recognize(images[2]!)).text.trim()).toBe(lines[2]);
    });
  });

  it('refuses queued and new pages once terminated, finishing the page under way', async () => {
    const pool = createOcrPool({ workers: 1, languages: 'eng', recycleAfterPages: 10 });
    const underWay = pool.recognize(images[0]!);
    const queued = pool.recognize(images[1]!);
    const terminated = pool.terminate();
    await expect(queued).rejects.toThrow(/terminated/);
    expect((await underWay).text.trim()).toBe(lines[0]);
    await terminated;
    await expect(pool.recognize(images[0]!)).rejects.toThrow(/terminated/);
  });
});
