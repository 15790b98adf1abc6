import { afterAll, describe, expect, it } from 'vitest';
import { extractEntities } from '../../processors/extract-entities/extract.ts';
import { createOcrPool } from '../../processors/extract-text/ocr-pool.ts';
import { prepareForOcr } from '../../processors/extract-text/page-images.ts';
import { generateCorpus } from '../fixtures/corpus.ts';
import { renderVariant, type ScanVariant } from '../fixtures/scans.ts';

/**
 * The decimal re-read against real tesseract: the lab result pages of the corpus, scanned and
 * skewed, read once and read with the second, digits-only pass over suspect cells. Every
 * reading kept must be a value or a bound as printed, the labs read right must not fall, and
 * no page's confidence may rise.
 */
const SEED = 11;
const VARIANTS: readonly ScanVariant[] = ['png', 'rotated'];

describe('lab decimals read again by the OCR pool', () => {
  const once = createOcrPool({ workers: 1, rereadDecimals: false });
  const twice = createOcrPool({ workers: 1, rereadDecimals: true });
  afterAll(() => Promise.all([once.terminate(), twice.terminate()]));

  it('puts back decimal points as printed, and never raises a page confidence', async () => {
    const labResults = generateCorpus({ seed: SEED, perTypeAndLanguage: 1 }).filter(
      (doc) => doc.documentType === 'lab-result',
    );
    let rightOnce = 0;
    let rightTwice = 0;
    let kept = 0;
    for (const doc of labResults) {
      const printed = new Set(
        doc.truth.labs.flatMap((lab) => [
          lab.value,
          ...(lab.range?.match(/\d+(?:\.\d+)?/g) ?? []).map(Number),
        ]),
      );
      const truthKeys = doc.truth.labs.map((lab) => `${lab.value}|${lab.unit}|${lab.flag}`);
      const right = (text: string) =>
        extractEntities([{ page: 1, text, confidence: 0.9 }], doc.language).labs.filter((lab) =>
          truthKeys.includes(`${lab.value}|${lab.unit}|${lab.flag}`),
        ).length;
      for (const variant of VARIANTS) {
        const scan = await renderVariant(doc, variant, SEED);
        const image = await prepareForOcr(scan.bytes);
        const [first, second] = await Promise.all([once.recognize(image), twice.recognize(image)]);

        expect(first.rereads, 'a pool told not to read again does not').toBeUndefined();
        expect(second.confidence, scan.fileName).toBeLessThanOrEqual(first.confidence);
        for (const reread of (second.rereads ?? []).filter((r) => r.kept)) {
          const numbers = reread.reread.split('-').map((n) => Number(n.replace(',', '.')));
          for (const n of numbers)
            expect(printed, `${scan.fileName} ${reread.reread}`).toContain(n);
          kept += 1;
        }
        rightOnce += right(first.text);
        rightTwice += right(second.text);
      }
    }
    console.log(
      `lab results read right: ${rightOnce} in one pass, ${rightTwice} with the re-read (${kept} readings kept)`,
    );
    expect(kept).toBeGreaterThan(0);
    expect(rightTwice).toBeGreaterThan(rightOnce);
  }, 240_000);
});
