// OCR accuracy on a fax beside a scan of the same pages: corpus documents printed to PDF, then
// scanned (a 200 dpi LZW TIFF) and faxed (CCITT Group 4, one bit, 204 x 98 and 204 x 196 dpi),
// each read as extract-text reads it; the normal-mode fax once more without its pixels made
// square, to show what that correction is worth. Prints the character error rate of each.
// Run: `npx tsx test/bench/fax.bench.ts [documents]`. Not a timed test: it prints its figures.
import os from 'node:os';
import { distance } from 'fastest-levenshtein';
import { createOcrPool } from '../../processors/extract-text/ocr-pool.ts';
import { imagePageCount, prepareForOcr } from '../../processors/extract-text/page-images.ts';
import { readTiffDirectories, verticalStretch } from '../../processors/tiff-directories.ts';
import { generateCorpus } from '../fixtures/corpus.ts';
import { tiffOf } from '../fixtures/images.ts';
import { rasterise } from '../fixtures/scan-effects.ts';
import { characterErrorRate, renderVariant } from '../fixtures/scans.ts';
import { faxTiff } from '../fixtures/tiffs.ts';

const [documentCount = 4] = process.argv.slice(2).map(Number);
const ocr = createOcrPool({
  workers: os.availableParallelism(),
  languages: 'eng+spa',
  recycleAfterPages: 1000,
});

/** Every page of a TIFF as extract-text prepares it, square pixels or (if asked) not. */
async function pagesOf(tiff: Buffer, square: boolean): Promise<Buffer[]> {
  const count = await imagePageCount(tiff);
  const directories = readTiffDirectories(tiff, count);
  const stretches = directories.kind === 'pages' ? directories.pages.map(verticalStretch) : [];
  return Promise.all(
    Array.from({ length: count }, (_, page) =>
      prepareForOcr(tiff, { page, verticalStretch: square ? (stretches[page] ?? 1) : 1 }),
    ),
  );
}

const variants = {
  'scan 200 dpi (LZW)': async (pdf: Buffer) =>
    pagesOf(await tiffOf(await rasterise(pdf, 200)), true),
  'fax 204x196 (fine, G4)': async (pdf: Buffer) =>
    pagesOf(await faxTiff(await rasterise(pdf, 204), 'fine'), true),
  'fax 204x98 (normal, G4)': async (pdf: Buffer) =>
    pagesOf(await faxTiff(await rasterise(pdf, 204), 'normal'), true),
  'fax 204x98, pixels left squat': async (pdf: Buffer) =>
    pagesOf(await faxTiff(await rasterise(pdf, 204), 'normal'), false),
};

const documents = generateCorpus({ seed: 11, perTypeAndLanguage: 1 }).slice(0, documentCount);
const totals = new Map<string, { errors: number; chars: number; pages: number }>();
for (const document of documents) {
  const printed = await renderVariant(document, 'text-pdf', 11);
  const truths = printed.groundTruth.pages;
  for (const [name, pagesFor] of Object.entries(variants)) {
    const images = await pagesFor(printed.bytes);
    const texts = await Promise.all(images.map((image) => ocr.recognize(image)));
    const total = totals.get(name) ?? { errors: 0, chars: 0, pages: 0 };
    for (const [index, { text }] of texts.entries()) {
      const truth = truths[index] ?? '';
      const chars = truth.replace(/\s+/g, ' ').trim().length;
      total.errors += characterErrorRate(text, truth, distance) * chars;
      total.chars += chars;
      total.pages += 1;
    }
    totals.set(name, total);
  }
}
await ocr.terminate();
console.log(`${documents.length} documents`);
for (const [name, { errors, chars, pages }] of totals) {
  console.log(`${name.padEnd(32)} ${pages} pages  CER ${((100 * errors) / chars).toFixed(2)}%`);
}
