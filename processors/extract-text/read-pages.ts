import type { ExtractionMethod } from '../../schemas/events.ts';
import { openPdf, type PDFDocumentProxy } from '../pdf.ts';
import { permanent } from '../runtime/processor.ts';
import type { OcrEngine } from './ocr-pool.ts';
import { imagePageCount, prepareForOcr, renderPdfPage } from './page-images.ts';
import { isUsableTextLayer, pageTextLayer, tidy } from './pdf-text.ts';

export interface PageText {
  readonly page: number;
  readonly method: ExtractionMethod;
  readonly confidence: number;
  readonly text: string;
}

export interface PageReaders {
  readonly ocr: OcrEngine;
  readonly minTextLayerChars: number;
}

const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/tiff']);

/** Every page's text, in page order, read the way its media type allows. */
export async function readPages(
  bytes: Buffer,
  mediaType: string,
  readers: PageReaders,
): Promise<PageText[]> {
  if (mediaType === 'application/pdf') return readPdf(bytes, readers);
  if (IMAGE_TYPES.has(mediaType)) return readImage(bytes, readers);
  if (mediaType === 'text/plain') {
    return [{ page: 1, method: 'plain-text', confidence: 1, text: tidy(decodeText(bytes)) }];
  }
  throw permanent(`cannot extract text from ${mediaType}`);
}

async function readPdf(bytes: Buffer, readers: PageReaders): Promise<PageText[]> {
  const pdf = await unbroken('the PDF cannot be opened', () => openPdf(bytes));
  try {
    return await eachPage(pdf.numPages, readers.ocr, (page) => readPdfPage(pdf, page, readers));
  } finally {
    await pdf.destroy();
  }
}

async function readPdfPage(
  pdf: PDFDocumentProxy,
  page: number,
  readers: PageReaders,
): Promise<PageText> {
  const layer = await unbroken(`page ${page}'s text cannot be read`, () =>
    pageTextLayer(pdf, page),
  );
  if (isUsableTextLayer(layer, readers.minTextLayerChars)) {
    return { page, method: 'text-layer', confidence: 1, text: layer };
  }
  const { png } = await unbroken(`page ${page} cannot be rendered`, () => renderPdfPage(pdf, page));
  return ocrPage(page, await prepareForOcr(png), readers.ocr);
}

async function readImage(bytes: Buffer, readers: PageReaders): Promise<PageText[]> {
  const count = await unbroken('the image cannot be decoded', () => imagePageCount(bytes));
  return eachPage(count, readers.ocr, async (page) => {
    const image = await unbroken(`page ${page} of the image cannot be decoded`, () =>
      prepareForOcr(bytes, { page: page - 1 }),
    );
    return ocrPage(page, image, readers.ocr);
  });
}

/**
 * Reads pages 1..count, no more at once than the OCR pool has workers: a long document then
 * never floods the pool's queue, and each recognize call waits about one page's work. After a
 * failure no further page is started, and the error is thrown once the pages under way are done.
 */
async function eachPage<T>(
  count: number,
  ocr: OcrEngine,
  read: (page: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = [];
  let next = 1;
  let failure = null as { error: unknown } | null;
  const lane = async () => {
    while (!failure && next <= count) {
      const page = next++;
      try {
        results[page - 1] = await read(page);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  const lanes = Math.max(1, Math.min(count, ocr.stats().workers));
  await Promise.all(Array.from({ length: lanes }, lane));
  if (failure) throw failure.error;
  return results;
}

/** OCR failures are the engine's, not the document's: they reach the runtime as they are. */
async function ocrPage(page: number, image: Buffer, ocr: OcrEngine): Promise<PageText> {
  const { text, confidence } = await ocr.recognize(image);
  return { page, method: 'ocr', confidence, text: tidy(text) };
}

/** Bytes that cannot be parsed now never will be: no retry can help. */
async function unbroken<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw permanent(what, error);
  }
}

/** UTF-8 (with or without a BOM); files from older systems that are not UTF-8 are Windows-1252. */
export function decodeText(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}
