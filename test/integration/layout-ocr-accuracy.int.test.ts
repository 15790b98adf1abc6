import os from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { extractEntities } from '../../processors/extract-entities/extract.ts';
import type { RereadOutcome } from '../../processors/extract-text/decimal-reread.ts';
import { createOcrPool, type OcrEngine } from '../../processors/extract-text/ocr-pool.ts';
import { createExtractTextProcessor } from '../../processors/extract-text/processor.ts';
import type { TextExtracted } from '../../schemas/events.ts';
import { type Scores, scoreExtraction } from '../fixtures/entity-scoring.ts';
import { generateLayoutCorpus, LAYOUT_HELD_OUT_SEED } from '../fixtures/layouts.ts';
import { type RenderedScan, renderVariant, type ScanVariant } from '../fixtures/scans.ts';
import { documentEvent } from '../support/events.ts';
import { memoryBlobs } from '../support/memory-blobs.ts';

/**
 * Entity extraction from OCR'd scans of documents in layouts the project's own fixtures do not
 * use, on the held-out seed: nothing was tuned by looking at these documents. Each document is
 * printed, then scanned one way or another, read through the extract-text processor and its
 * OCR pool (the decimal re-read included), and its entities are scored against what was
 * printed. The same documents' plain text is scored too, so what OCR loses shows beside what
 * the extractors miss on their own.
 */
const COUNT = 24;
/** The scanned variants in turn; a TIFF is two pages. */
const VARIANTS: readonly ScanVariant[] = ['png', 'scan-pdf', 'jpeg', 'noisy', 'rotated', 'tiff'];
const REPORTED = ['identifiers', 'name', 'dateOfBirth', 'labs'] as const;
/**
 * The bars the extraction is held to. Measured on OCR (24 documents, 28 pages): identifiers 0.93,
 * name 1.00, date of birth 0.96, labs 0.85 recall at 0.96 precision (the plain text: 1.00 for
 * all); labs meet their bar with no lab to spare. What OCR still loses on the tuning seed's scans
 * (`test/bench/layout-ocr-misses.ts`): long dotted leaders read as words, decimal points
 * tesseract drops and the re-read does not restore, arrows with no range.
 */
const MIN_RECALL: Record<(typeof REPORTED)[number], number> = {
  identifiers: 0.9,
  name: 0.9,
  dateOfBirth: 0.9,
  labs: 0.85,
};

describe('entities read from OCR scans of the held-out layouts', () => {
  const pool = createOcrPool({ workers: os.availableParallelism(), recycleAfterPages: 200 });
  afterAll(() => pool.terminate());

  it('finds identifiers, name, date of birth and labs as printed', async () => {
    const started = performance.now();
    const rereads: RereadOutcome[] = [];
    const ocr: OcrEngine = {
      ...pool,
      async recognize(image) {
        const result = await pool.recognize(image);
        rereads.push(...(result.rereads ?? []));
        return result;
      },
    };
    const documents = generateLayoutCorpus(LAYOUT_HELD_OUT_SEED, COUNT);
    const scans = await Promise.all(
      documents.map((doc, i) => renderVariant(doc, VARIANTS[i % VARIANTS.length] ?? 'png', 1)),
    );
    const texts = await inLanes(scans, pool.stats().workers, readScan(ocr));
    const seconds = (performance.now() - started) / 1000;

    const onOcr = scoreExtraction(
      texts.map((text, i) => ({ document: documents[i]!, found: entitiesOf(text) })),
    );
    const onText = scoreExtraction(
      documents.map((document) => ({
        document,
        found: extractEntities(
          [{ page: 1, text: document.lines.join('\n'), confidence: 1 }],
          document.language,
        ),
      })),
    );
    const pages = texts.reduce((sum, text) => sum + text.pages.length, 0);
    console.log(
      [
        `held-out seed ${LAYOUT_HELD_OUT_SEED}: ${COUNT} documents, ${pages} OCR pages, ${seconds.toFixed(1)} s`,
        `kind           text P / R        OCR P / R`,
        ...REPORTED.map((kind) => `${kind.padEnd(14)} ${pr(onText, kind)}    ${pr(onOcr, kind)}`),
        `lab cells read again: ${rereads.length}, kept: ${rereads.filter((r) => r.kept).length}`,
      ].join('\n'),
    );

    for (const text of texts) expect(text.method).toBe('ocr');
    for (const kind of REPORTED) {
      expect
        .soft(onOcr[kind].recall, `${kind} recall on OCR`)
        .toBeGreaterThanOrEqual(MIN_RECALL[kind]);
    }
  }, 360_000);
});

function readScan(ocr: OcrEngine) {
  const blobs = memoryBlobs();
  const processor = createExtractTextProcessor({ blobs, ocr });
  return async (scan: RenderedScan) => {
    const event = documentEvent(
      'DocumentValidated',
      {
        round: 1,
        mediaType: scan.mediaType,
        blobRef: blobs.add('tenant-a', scan.bytes),
        pageCount: scan.groundTruth.pages.length,
        pages: [],
        hint: null,
      },
      { tenantId: 'tenant-a' },
    );
    const [draft] = await processor.handle(event);
    return draft!.data as TextExtracted['data'];
  };
}

const entitiesOf = (text: TextExtracted['data']) =>
  extractEntities(
    text.pages.map(({ page, text, confidence }) => ({ page, text: text ?? '', confidence })),
    text.language,
  );

const pr = (scores: Scores, kind: (typeof REPORTED)[number]) =>
  `${scores[kind].precision.toFixed(3)} / ${scores[kind].recall.toFixed(3)} (${scores[kind].expected})`;

async function inLanes<T, R>(items: T[], lanes: number, work: (item: T) => Promise<R>) {
  const results: R[] = [];
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, lanes) }, lane));
  return results;
}
