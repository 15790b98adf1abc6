import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import Tesseract from 'tesseract.js';
import { type PageLayout, type RereadOutcome, rereadDecimals } from './decimal-reread.ts';
import type { OcrLine } from './lab-cells.ts';
import { type LanguageModel, languageDataDir } from './language-data.ts';
import { type BlockOutline, readAsColumns } from './page-columns.ts';

export interface OcrResult {
  readonly text: string;
  /** 0..1, tesseract's mean word confidence, never raised by a second reading. */
  readonly confidence: number;
  /** Lab cells read a second time, digits only, and whether that reading was kept. */
  readonly rereads?: readonly RereadOutcome[];
}

export interface OcrEngine {
  /** Reads one page image (PNG). Jobs wait in a queue while every worker is busy. */
  recognize(image: Buffer): Promise<OcrResult>;
  /** `recycled` counts workers replaced: worn out by their page count, or after a failure. */
  stats(): { workers: number; pagesDone: number; recycled: number };
  /** Refuses new pages and queued ones, lets the pages being read finish, ends the workers. */
  terminate(): Promise<void>;
}

export interface OcrPoolOptions {
  readonly workers?: number;
  /** Languages every worker loads, `+`-separated: each page may be in any of them. */
  readonly languages?: string;
  /** A worker's WebAssembly memory only grows: after this many pages it is replaced. */
  readonly recycleAfterPages?: number;
  /** A page still unread after this long fails, and its worker is replaced. */
  readonly pageTimeoutMs?: number;
  readonly model?: LanguageModel;
  /** Tesseract page segmentation mode; AUTO finds columns and tables without orientation data. */
  readonly pageSegmentation?: Tesseract.PSM;
  /**
   * A page whose table AUTO cut into columns (`page-columns.ts`) is read again in this mode,
   * which keeps a row's cells on one line, and that reading is kept; null reads every page once.
   */
  readonly tableSegmentation?: Tesseract.PSM | null;
  /** Let tesseract measure the skew of the text lines and straighten the page first. */
  readonly deskew?: boolean;
  /** Read again, digits only, lab values whose decimals disagree with their range or flag. */
  readonly rereadDecimals?: boolean;
  /**
   * Keep a wide gap between words as several spaces, not one: a label set off from its value by
   * a gap instead of a colon (`DOB      03/14/1961`), and table columns, stay apart in the text.
   */
  readonly keepGaps?: boolean;
}

const DEFAULTS = {
  workers: os.availableParallelism(),
  languages: 'eng+spa',
  recycleAfterPages: 200,
  pageTimeoutMs: 120_000,
  model: '4.0.0_best_int' as LanguageModel,
  pageSegmentation: Tesseract.PSM.AUTO,
  tableSegmentation: Tesseract.PSM.SINGLE_COLUMN as Tesseract.PSM | null,
  deskew: true,
  rereadDecimals: true,
  keepGaps: true,
};

interface Job {
  readonly image: Buffer;
  resolve(result: OcrResult): void;
  reject(error: Error): void;
}

interface LiveWorker {
  readonly tesseract: Tesseract.Worker;
  /** Rejects when the worker's thread dies (out of memory, crash) before it answers. */
  readonly died: Promise<never>;
}

interface Slot {
  worker: Promise<LiveWorker> | null;
  pages: number;
  busy: boolean;
}

/** A fixed number of tesseract.js workers reading pages off one queue. */
export function createOcrPool(options: OcrPoolOptions = {}): OcrEngine {
  const given = Object.entries(options).filter(([, value]) => value !== undefined);
  const settings: typeof DEFAULTS = { ...DEFAULTS, ...Object.fromEntries(given) };
  if (!(settings.workers >= 1)) throw new RangeError('an OCR pool needs at least one worker');
  const slots: Slot[] = Array.from({ length: settings.workers }, () => ({
    worker: null,
    pages: 0,
    busy: false,
  }));
  const queue: Job[] = [];
  const running = new Set<Promise<void>>();
  let pagesDone = 0;
  let recycled = 0;
  let terminated = false;

  const startWorker = () => {
    const worker = spawnWorker(settings);
    worker.catch(() => {}); // a failed start is reported to the job that waits for it
    return worker;
  };

  const replaceWorker = (slot: Slot) => {
    const old = slot.worker;
    slot.pages = 0;
    slot.worker = terminated ? null : startWorker();
    recycled += 1;
    old?.then(endWorker).catch(() => {});
  };

  const read = async (slot: Slot, job: Job) => {
    slot.worker ??= startWorker();
    try {
      const worker = await slot.worker;
      const page = recognizeWith(worker.tesseract, job.image, settings);
      job.resolve(await withTimeout(Promise.race([page, worker.died]), settings.pageTimeoutMs));
      pagesDone += 1;
      slot.pages += 1;
      if (slot.pages >= settings.recycleAfterPages) replaceWorker(slot);
    } catch (error) {
      job.reject(asError(error));
      replaceWorker(slot); // after a failure its state is unknown: start afresh
    } finally {
      slot.busy = false;
    }
  };

  const dispatch = () => {
    for (const slot of slots) {
      const job = slot.busy ? undefined : queue.shift();
      if (!job) continue;
      slot.busy = true;
      const run = read(slot, job).finally(() => {
        running.delete(run);
        dispatch();
      });
      running.add(run);
    }
  };

  return {
    recognize(image) {
      if (terminated) return Promise.reject(new Error('the OCR pool has been terminated'));
      return new Promise<OcrResult>((resolve, reject) => {
        queue.push({ image, resolve, reject });
        dispatch();
      });
    },
    stats: () => ({ workers: slots.length, pagesDone, recycled }),
    async terminate() {
      terminated = true;
      for (const job of queue.splice(0)) job.reject(new Error('the OCR pool has been terminated'));
      await Promise.allSettled(running);
      const workers = slots.map((slot) => slot.worker);
      for (const slot of slots) slot.worker = null;
      await Promise.allSettled(workers.map((worker) => worker?.then(endWorker)));
    },
  };
}

async function spawnWorker(settings: typeof DEFAULTS): Promise<LiveWorker> {
  const langPath = await languageDataDir(settings.languages, settings.model);
  const tesseract = await Tesseract.createWorker(settings.languages, Tesseract.OEM.LSTM_ONLY, {
    langPath,
    gzip: true,
    cacheMethod: 'none',
    // Without a handler tesseract.js rethrows a failed job's error where no one can catch it.
    errorHandler: () => {},
  });
  await tesseract.setParameters({
    tessedit_pageseg_mode: settings.pageSegmentation,
    preserve_interword_spaces: settings.keepGaps ? '1' : '0',
    debug_file: '/dev/null',
  });
  return { tesseract, died: deathOf(tesseract) };
}

/** tesseract.js does not watch its thread: a thread that dies would leave its job waiting. */
function deathOf(tesseract: Tesseract.Worker): Promise<never> {
  const thread = (tesseract as unknown as { worker?: Worker }).worker;
  if (typeof thread?.once !== 'function') return new Promise<never>(() => {});
  const died = new Promise<never>((_, reject) => {
    thread.once('error', (error) => reject(error));
    thread.once('exit', (code) => reject(new Error(`OCR worker exited with code ${code}`)));
  });
  died.catch(() => {});
  return died;
}

const endWorker = (worker: LiveWorker) => worker.tesseract.terminate();

async function recognizeWith(
  worker: Tesseract.Worker,
  image: Buffer,
  settings: Pick<typeof DEFAULTS, 'deskew' | 'rereadDecimals' | 'tableSegmentation'>,
): Promise<OcrResult> {
  const blocks = settings.rereadDecimals || settings.tableSegmentation !== null;
  let { data } = await worker.recognize(
    image,
    { rotateAuto: settings.deskew },
    { text: true, blocks },
  );
  if (settings.tableSegmentation !== null && readAsColumns(outlinesOf(data.blocks))) {
    // Kept whatever its confidence: a table read column by column scores well and says little.
    const options = {
      rotateAuto: settings.deskew,
      tessedit_pageseg_mode: settings.tableSegmentation,
    };
    ({ data } = await worker.recognize(image, options as Partial<Tesseract.RecognizeOptions>, {
      text: true,
      blocks,
    }));
  }
  const confidence = Math.max(0, Math.min(1, (data.confidence ?? 0) / 100));
  if (!settings.rereadDecimals) return { text: data.text, confidence };
  const page: PageLayout = { text: data.text, confidence, lines: linesOf(data.blocks) };
  // The second reading is of the same image, turned by the angle the first one found.
  const rotateRadians = data.rotateRadians ?? 0;
  return rereadDecimals(page, async ({ x0, y0, x1, y1 }, characters) => {
    const rectangle = { left: x0, top: y0, width: x1 - x0, height: y1 - y0 };
    const options = {
      rectangle,
      rotateRadians,
      tessedit_char_whitelist: characters,
      tessedit_pageseg_mode: Tesseract.PSM.SINGLE_LINE,
    } as Partial<Tesseract.RecognizeOptions>;
    const { data: cell } = await worker.recognize(image, options, { text: true });
    return { text: cell.text, confidence: cell.confidence ?? 0 };
  });
}

/** Each of tesseract's blocks: its box and how many lines it holds. */
function outlinesOf(blocks: Tesseract.Block[] | null): BlockOutline[] {
  return (blocks ?? []).map(({ bbox, paragraphs }) => ({
    box: { x0: bbox.x0, y0: bbox.y0, x1: bbox.x1, y1: bbox.y1 },
    lines: paragraphs.reduce((sum, paragraph) => sum + paragraph.lines.length, 0),
  }));
}

/** Tesseract's lines, words and symbols as the decimal re-read needs them. */
function linesOf(blocks: Tesseract.Block[] | null): OcrLine[] {
  const box = ({ x0, y0, x1, y1 }: Tesseract.Bbox) => ({ x0, y0, x1, y1 });
  return (blocks ?? []).flatMap((block) =>
    block.paragraphs.flatMap((paragraph) =>
      paragraph.lines.map((line) => ({
        text: line.text,
        box: box(line.bbox),
        words: line.words.map((word) => ({
          text: word.text,
          confidence: word.confidence,
          box: box(word.bbox),
          symbols: (word.symbols ?? []).map((symbol) => ({
            text: symbol.text,
            box: box(symbol.bbox),
          })),
        })),
      })),
    ),
  );
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`OCR of a page took longer than ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

// tesseract.js rejects with the message string of the error inside its worker.
const asError = (reason: unknown) =>
  reason instanceof Error ? reason : new Error(`OCR failed: ${String(reason)}`);
