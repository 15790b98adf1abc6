// OCR throughput and accuracy on one set of prepared page images (PNG, as the processor makes
// them): the tesseract.js pool against the native tesseract CLI, both with as many pages at once
// as there are cores. The CLI runs once with Debian's language data and once with the npm
// packages' data the pool loads, which separates the engine (WebAssembly or native) from the model;
// the pool runs with its deskew (as in production) and without (as the CLI, which has none).
// Run: `npx tsx test/bench/ocr.bench.ts [pages]`. Not a timed test: it prints its figures.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { distance } from 'fastest-levenshtein';
import { languageDataFile } from '../../processors/extract-text/language-data.ts';
import { createOcrPool } from '../../processors/extract-text/ocr-pool.ts';
import {
  imagePageCount,
  prepareForOcr,
  renderPdfPage,
} from '../../processors/extract-text/page-images.ts';
import { openPdf } from '../../processors/pdf.ts';
import { generateCorpus } from '../fixtures/corpus.ts';
import { normaliseWhitespace, renderVariant, type ScanVariant } from '../fixtures/scans.ts';

const run = promisify(execFile);
const [pageTarget = 16] = process.argv.slice(2).map(Number);
const WORKERS = os.availableParallelism();
const LANGUAGES = 'eng+spa';
const VARIANTS: ScanVariant[] = ['png', 'jpeg', 'tiff', 'scan-pdf', 'rotated', 'noisy'];

interface Page {
  readonly png: Buffer;
  readonly truth: string;
}

interface Row {
  readonly engine: string;
  readonly pages: number;
  readonly seconds: number;
  readonly cer: number;
}

/** Pages of corpus documents in every scanned variant, prepared exactly as the processor does. */
async function preparedPages(target: number): Promise<Page[]> {
  const docs = generateCorpus({ seed: 5, perTypeAndLanguage: 2 });
  const pages: Page[] = [];
  for (let i = 0; pages.length < target && i < docs.length; i++) {
    const scan = await renderVariant(docs[i]!, VARIANTS[i % VARIANTS.length]!, 5);
    const images = await pageImages(scan.bytes, scan.mediaType);
    for (const [n, png] of images.entries()) pages.push({ png, truth: scan.groundTruth.pages[n]! });
  }
  return pages.slice(0, target);
}

async function pageImages(bytes: Buffer, mediaType: string): Promise<Buffer[]> {
  if (mediaType !== 'application/pdf') {
    const count = await imagePageCount(bytes);
    return Promise.all(Array.from({ length: count }, (_, page) => prepareForOcr(bytes, { page })));
  }
  const pdf = await openPdf(bytes);
  try {
    const images: Buffer[] = [];
    for (let n = 1; n <= pdf.numPages; n++) {
      images.push(await prepareForOcr((await renderPdfPage(pdf, n)).png));
    }
    return images;
  } finally {
    await pdf.destroy();
  }
}

const cerOf = (texts: string[], pages: Page[]) => {
  let errors = 0;
  let chars = 0;
  for (const [i, page] of pages.entries()) {
    const truth = normaliseWhitespace(page.truth);
    errors += distance(normaliseWhitespace(texts[i]!), truth);
    chars += truth.length;
  }
  return errors / chars;
};

async function inLanes<T>(count: number, work: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await work(index);
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, lane));
  return results;
}

async function benchPool(pages: Page[], deskew: boolean): Promise<Row> {
  const pool = createOcrPool({
    workers: WORKERS,
    languages: LANGUAGES,
    recycleAfterPages: 1000,
    deskew,
  });
  try {
    const started = performance.now();
    await Promise.all(Array.from({ length: WORKERS }, (_, i) => pool.recognize(pages[i]!.png)));
    const startup = (performance.now() - started) / 1000;
    console.log(
      `pool${deskew ? ' (deskew)' : ''}: ${WORKERS} workers started, read a first page in ${startup.toFixed(1)} s`,
    );
    const timed = performance.now();
    const results = await Promise.all(pages.map((page) => pool.recognize(page.png)));
    const seconds = (performance.now() - timed) / 1000;
    const cer = cerOf(
      results.map((result) => result.text),
      pages,
    );
    const engine = `tesseract.js pool, npm best_int${deskew ? ', deskew' : ''}`;
    return { engine, pages: pages.length, seconds, cer };
  } finally {
    await pool.terminate();
  }
}

async function benchCli(pages: Page[], dir: string, engine: string, tessdata: string | null) {
  const files = await Promise.all(
    pages.map(async (page, i) => {
      const file = path.join(dir, `page-${i}.png`);
      await writeFile(file, page.png);
      return file;
    }),
  );
  const extra = tessdata ? ['--tessdata-dir', tessdata] : [];
  const env = { ...process.env, OMP_THREAD_LIMIT: '1' };
  const read = (i: number) =>
    run('tesseract', [files[i]!, 'stdout', '-l', LANGUAGES, '--psm', '3', ...extra], { env });
  const started = performance.now();
  const results = await inLanes(pages.length, read);
  const seconds = (performance.now() - started) / 1000;
  return {
    engine,
    pages: pages.length,
    seconds,
    cer: cerOf(
      results.map((r) => r.stdout),
      pages,
    ),
  };
}

/** The npm packages' traineddata, unpacked where the CLI can load it. */
async function npmTessdata(dir: string): Promise<string> {
  for (const language of LANGUAGES.split('+')) {
    const gz = await readFile(languageDataFile(language, '4.0.0_best_int'));
    await writeFile(path.join(dir, `${language}.traineddata`), gunzipSync(gz));
  }
  return dir;
}

const cliVersion = await run('tesseract', ['--version']).then(
  ({ stdout, stderr }) => `${stdout}${stderr}`.split('\n')[0]!.trim(),
  () => null,
);
const pages = await preparedPages(pageTarget);
console.log(`${pages.length} prepared pages, ${WORKERS} at a time (cores: ${WORKERS})`);
const dir = await mkdtemp(path.join(os.tmpdir(), 'ocr-bench-'));
const rows: Row[] = [];
try {
  rows.push(await benchPool(pages, true));
  // The CLI has no deskew: without it the pool does the same work, engine against engine.
  rows.push(await benchPool(pages, false));
  if (cliVersion) {
    rows.push(await benchCli(pages, dir, `${cliVersion} CLI, Debian data`, null));
    const npmData = await npmTessdata(dir);
    rows.push(await benchCli(pages, dir, `${cliVersion} CLI, npm best_int`, npmData));
  } else {
    console.log(
      'no `tesseract` binary: install it with `apt-get install tesseract-ocr tesseract-ocr-spa`',
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

console.log(
  [
    `${'engine'.padEnd(44)} pages  seconds  pages/s    CER`,
    ...rows.map(
      (row) =>
        `${row.engine.padEnd(44)} ${String(row.pages).padStart(5)}  ${row.seconds.toFixed(1).padStart(7)}  ${(row.pages / row.seconds).toFixed(2).padStart(7)}  ${(row.cer * 100).toFixed(2).padStart(5)}%`,
    ),
  ].join('\n'),
);
