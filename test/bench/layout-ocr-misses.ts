/**
 * What entity extraction misses on OCR'd scans of the TUNING seed of the layout corpus, printed
 * document by document beside the lines OCR read: the ground the OCR-tolerant readings were
 * tuned on. The held-out seed is never printed here; `layout-ocr-accuracy.int.test.ts` scores it.
 *
 *   npx tsx test/bench/layout-ocr-misses.ts [count] [--cache <file.json>]
 *
 * OCR is slow; with `--cache` the texts read are kept in (and taken again from) that file, so the
 * extractors can be changed and run again in seconds.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { extractEntities } from '../../processors/extract-entities/extract.ts';
import { createOcrPool } from '../../processors/extract-text/ocr-pool.ts';
import { createExtractTextProcessor } from '../../processors/extract-text/processor.ts';
import type { TextExtracted } from '../../schemas/events.ts';
import {
  expectedKeys,
  formatScores,
  foundKeys,
  scoreExtraction,
} from '../fixtures/entity-scoring.ts';
import { generateLayoutCorpus, LAYOUT_TUNING_SEED } from '../fixtures/layouts.ts';
import { renderVariant, type ScanVariant } from '../fixtures/scans.ts';
import { documentEvent } from '../support/events.ts';
import { memoryBlobs } from '../support/memory-blobs.ts';

const VARIANTS: readonly ScanVariant[] = ['png', 'scan-pdf', 'jpeg', 'noisy', 'rotated', 'tiff'];
const KINDS = ['identifiers', 'name', 'dateOfBirth', 'labs'] as const;

type Pages = { page: number; text: string; confidence: number }[];

const args = process.argv.slice(2);
const cacheAt = args.indexOf('--cache');
const cache = cacheAt >= 0 ? args[cacheAt + 1] : undefined;
const count = Number(args.find((arg, i) => /^\d+$/.test(arg) && args[i - 1] !== '--cache') ?? 24);
const documents = generateLayoutCorpus(LAYOUT_TUNING_SEED, count);

const texts: { pages: Pages; language: string }[] =
  cache && existsSync(cache) ? JSON.parse(readFileSync(cache, 'utf8')) : await readScans();
if (cache && !existsSync(cache)) writeFileSync(cache, JSON.stringify(texts));

const results = documents.map((document, i) => {
  const text = texts[i]!;
  return { document, text, found: extractEntities(text.pages, text.language) };
});
for (const { document, text, found } of results) {
  const expected = expectedKeys(document);
  const actual = foundKeys(found, document);
  const misses = KINDS.flatMap((kind) => {
    const missed = expected[kind].filter((key) => !actual[kind].includes(key));
    const wrong = actual[kind].filter((key) => !expected[kind].includes(key));
    return missed.length || wrong.length
      ? [`  ${kind}: missed ${JSON.stringify(missed)} found instead ${JSON.stringify(wrong)}`]
      : [];
  });
  if (misses.length === 0) continue;
  console.log(`== ${document.id} (${document.variations.join(', ')})`);
  console.log(misses.join('\n'));
  console.log(
    text.pages
      .map((page) => page.text)
      .join('\n')
      .replace(/^/gm, '  | '),
  );
}
console.log(`tuning seed ${LAYOUT_TUNING_SEED}, ${count} documents, OCR:`);
console.log(formatScores(scoreExtraction(results)));

async function readScans() {
  const pool = createOcrPool({ workers: os.availableParallelism(), recycleAfterPages: 200 });
  const blobs = memoryBlobs();
  const processor = createExtractTextProcessor({ blobs, ocr: pool });
  try {
    const read = [];
    for (const [i, document] of documents.entries()) {
      const scan = await renderVariant(document, VARIANTS[i % VARIANTS.length] ?? 'png', 1);
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
      const data = draft!.data as TextExtracted['data'];
      read.push({
        language: data.language,
        pages: data.pages.map(({ page, text, confidence }) => ({
          page,
          text: text ?? '',
          confidence,
        })),
      });
    }
    return read;
  } finally {
    await pool.terminate();
  }
}
