// OCR throughput and accuracy on one set of prepared page images (PNG, as the processor makes
// them), side by side in one run: the tesseract.js pool as production runs it (deskew, tables read
// again as one column, lab decimals read again) against the native tesseract CLI on the same pages
// and the same model files (the npm packages' best_int traineddata, unpacked for `--tessdata-dir`),
// each with as many pages at once as there are cores; Debian's own language data is a third row.
// The CLI runs twice on the npm data: one process per page, loading its models each time (as a
// script calling it would), and one process per core reading its share of the pages from a list,
// models loaded once (as the pool's warm workers do): the second is the engine against the engine.
// Each round runs every engine once, in turn, so a load that comes and goes falls on all of them;
// wall time is what the target speaks of, CPU time per page is printed beside it because on a
// shared machine wall time measures the neighbours as much as the engine. The pool straightens a
// skewed page before reading it and the CLI cannot, so the character error rate is printed for
// every page and for the straight ones alone (all but the `rotated` variant): on those the pool's
// straightening does nothing, and the two are compared with the same clean-up.
// Run: `npx tsx test/bench/ocr.bench.ts [pages] [rounds]`. Not a timed test: it prints its figures.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { distance } from 'fastest-levenshtein';
import { languageDataFile } from '../../processors/extract-text/language-data.ts';
import { createOcrPool, type OcrEngine } from '../../processors/extract-text/ocr-pool.ts';
import {
  imagePageCount,
  prepareForOcr,
  renderPdfPage,
} from '../../processors/extract-text/page-images.ts';
import { openPdf } from '../../processors/pdf.ts';
import { generateCorpus } from '../fixtures/corpus.ts';
import { normaliseWhitespace, renderVariant, type ScanVariant } from '../fixtures/scans.ts';

const run = promisify(execFile);
const [pageTarget = 16, rounds = 1] = process.argv.slice(2).map(Number);
const WORKERS = os.availableParallelism();
const LANGUAGES = 'eng+spa';
const VARIANTS: ScanVariant[] = ['png', 'jpeg', 'tiff', 'scan-pdf', 'rotated', 'noisy'];

interface Page {
  readonly png: Buffer;
  readonly truth: string;
  readonly variant: ScanVariant;
}

interface Row {
  readonly engine: string;
  readonly pages: number;
  /** Wall time for all the pages. */
  readonly seconds: number;
  /** CPU time for all the pages, every thread or child process counted; null where unknown. */
  readonly cpuSeconds: number | null;
  readonly cer: number;
  /** Of the pages that need no straightening. */
  readonly straightCer: number;
}

/** CPU seconds of this process, all its threads (the pool's workers among them). */
const ownCpu = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/** CPU seconds of this process's finished children (Linux: cutime + cstime, in clock ticks). */
async function childrenCpu(): Promise<number | null> {
  const stat = await readFile('/proc/self/stat', 'utf8').catch(() => null);
  if (!stat) return null;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** Pages of corpus documents in every scanned variant, prepared exactly as the processor does. */
async function preparedPages(target: number): Promise<Page[]> {
  const docs = generateCorpus({ seed: 5, perTypeAndLanguage: 2 });
  const pages: Page[] = [];
  for (let i = 0; pages.length < target && i < docs.length; i++) {
    const variant = VARIANTS[i % VARIANTS.length]!;
    const scan = await renderVariant(docs[i]!, variant, 5);
    const images = await pageImages(scan.bytes, scan.mediaType);
    for (const [n, png] of images.entries()) {
      pages.push({ png, truth: scan.groundTruth.pages[n]!, variant });
    }
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

const cerOf = (texts: string[], pages: Page[], straightOnly = false) => {
  let errors = 0;
  let chars = 0;
  for (const [i, page] of pages.entries()) {
    if (straightOnly && page.variant === 'rotated') continue;
    const truth = normaliseWhitespace(page.truth);
    errors += distance(normaliseWhitespace(texts[i]!), truth);
    chars += truth.length;
  }
  return errors / chars;
};

const accuracy = (texts: string[], pages: Page[]) => ({
  cer: cerOf(texts, pages),
  straightCer: cerOf(texts, pages, true),
});

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

/** The pool with production settings, its workers started and warm before any page is timed. */
async function startPool(pages: Page[]): Promise<OcrEngine> {
  const pool = createOcrPool({ workers: WORKERS, languages: LANGUAGES, recycleAfterPages: 1000 });
  const started = performance.now();
  await Promise.all(Array.from({ length: WORKERS }, (_, i) => pool.recognize(pages[i]!.png)));
  const startup = (performance.now() - started) / 1000;
  console.log(`pool: ${WORKERS} workers started, read a first page in ${startup.toFixed(1)} s`);
  return pool;
}

async function benchPool(pool: OcrEngine, pages: Page[]): Promise<Row> {
  const cpu = ownCpu();
  const timed = performance.now();
  const results = await Promise.all(pages.map((page) => pool.recognize(page.png)));
  const seconds = (performance.now() - timed) / 1000;
  const texts = results.map((result) => result.text);
  const engine = 'tesseract.js pool, npm best_int';
  return {
    engine,
    pages: pages.length,
    seconds,
    cpuSeconds: ownCpu() - cpu,
    ...accuracy(texts, pages),
  };
}

type CliProcesses = 'a process per page' | 'a process per core';

async function benchCli(
  pages: Page[],
  dir: string,
  engine: string,
  tessdata: string | null,
  processes: CliProcesses,
): Promise<Row> {
  const files = await Promise.all(
    pages.map(async (page, i) => {
      const file = path.join(dir, `page-${i}.png`);
      await writeFile(file, page.png);
      return file;
    }),
  );
  const extra = tessdata ? ['--tessdata-dir', tessdata] : [];
  const env = { ...process.env, OMP_THREAD_LIMIT: '1' };
  const tesseract = async (input: string) =>
    (await run('tesseract', [input, 'stdout', '-l', LANGUAGES, '--psm', '3', ...extra], { env }))
      .stdout;
  const cpu = await childrenCpu();
  const started = performance.now();
  const texts =
    processes === 'a process per page'
      ? await inLanes(pages.length, (i) => tesseract(files[i]!))
      : await readByCore(files, dir, tesseract);
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = await childrenCpu();
  return {
    engine: `${engine}, ${processes}`,
    pages: pages.length,
    seconds,
    cpuSeconds: cpu === null || cpuAfter === null ? null : cpuAfter - cpu,
    ...accuracy(texts, pages),
  };
}

/** One CLI process per core, each reading every WORKERS-th page from a list of files. */
async function readByCore(
  files: string[],
  dir: string,
  tesseract: (input: string) => Promise<string>,
): Promise<string[]> {
  const texts: string[] = [];
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, core) => {
      const mine = files.map((_, i) => i).filter((i) => i % WORKERS === core);
      const list = path.join(dir, `pages-${core}.txt`);
      await writeFile(list, `${mine.map((i) => files[i]).join('\n')}\n`);
      // The text renderer ends each page with a form feed.
      const read = (await tesseract(list)).split('\f');
      for (const [n, i] of mine.entries()) texts[i] = read[n] ?? '';
    }),
  );
  return texts;
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
if (!cliVersion) {
  console.log(
    'no `tesseract` binary: install it with `apt-get install tesseract-ocr tesseract-ocr-spa`',
  );
}
const dir = await mkdtemp(path.join(os.tmpdir(), 'ocr-bench-'));
const pool = await startPool(pages);
try {
  const npmData = cliVersion ? await npmTessdata(await mkdtemp(path.join(dir, 'tessdata-'))) : '';
  for (let round = 1; round <= rounds; round++) {
    const load = os.loadavg()[0]!;
    const rows: Row[] = [await benchPool(pool, pages)];
    if (cliVersion) {
      const cli = `${cliVersion} CLI`;
      for (const processes of ['a process per page', 'a process per core'] as const) {
        rows.push(await benchCli(pages, dir, `${cli}, npm best_int`, npmData, processes));
      }
      rows.push(await benchCli(pages, dir, `${cli}, Debian data`, null, 'a process per page'));
    }
    printRound(round, load, rows);
  }
} finally {
  await pool.terminate();
  await rm(dir, { recursive: true, force: true });
}

function printRound(round: number, loadBefore: number, rows: Row[]) {
  const perPage = (row: Row) => row.seconds / row.pages;
  const cpuPerPage = (row: Row) => (row.cpuSeconds === null ? null : row.cpuSeconds / row.pages);
  const cell = (value: number | null, digits: number, width: number) =>
    (value === null ? '-' : value.toFixed(digits)).padStart(width);
  const percent = (value: number) => `${(value * 100).toFixed(2)}%`;
  const width = Math.max(...rows.map((row) => row.engine.length));
  const load = `load average ${loadBefore.toFixed(1)} before, ${os.loadavg()[0]!.toFixed(1)} after`;
  console.log(
    [
      `round ${round} (${load}, ${os.availableParallelism()} cores)`,
      `${'engine'.padEnd(width)} pages  wall s  s/page  pages/s  CPU s/page     CER  straight`,
      ...rows.map(
        (row) =>
          `${row.engine.padEnd(width)} ${String(row.pages).padStart(5)}  ${cell(row.seconds, 1, 6)}  ${cell(perPage(row), 2, 6)}  ${cell(row.pages / row.seconds, 2, 7)}  ${cell(cpuPerPage(row), 2, 10)}  ${percent(row.cer).padStart(6)}  ${percent(row.straightCer).padStart(8)}`,
      ),
    ].join('\n'),
  );
  const [poolRow, ...cliRows] = rows;
  if (!poolRow) return;
  // The rows on the same model files as the pool: the last CLI row reads Debian's own.
  for (const native of cliRows.slice(0, -1)) {
    const cpuRatio =
      poolRow.cpuSeconds !== null && native.cpuSeconds
        ? `${(poolRow.cpuSeconds / native.cpuSeconds).toFixed(2)}x`
        : '-';
    console.log(
      `pool / CLI with ${native.engine.slice(native.engine.lastIndexOf(', ') + 2)}: ` +
        `wall time per page ${(perPage(poolRow) / perPage(native)).toFixed(2)}x, CPU time per page ${cpuRatio}, ` +
        `CER ${percent(poolRow.cer)} against ${percent(native.cer)}, ` +
        `straight pages ${percent(poolRow.straightCer)} against ${percent(native.straightCer)} ` +
        '(target: time within 1.2x, CER no worse)',
    );
  }
}
