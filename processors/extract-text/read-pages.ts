import type { ExtractionMethod } from '../../schemas/events.ts';
import { openPdf, type PDFDocumentProxy } from '../pdf.ts';
import { permanent } from '../runtime/processor.ts';
import { readTiffDirectories, verticalStretch } from '../tiff-directories.ts';
import { readWord, WORD_MEDIA_TYPE } from '../word.ts';
import type { OcrEngine } from './ocr-pool.ts';
import { imagePageCount, prepareForOcr, renderPdfPage } from './page-images.ts';
import { isUsableTextLayer, pageTextLayer, tidy } from './pdf-text.ts';
import { decodeText } from './plain-text.ts';

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
  if (IMAGE_TYPES.has(mediaType)) return readImage(bytes, mediaType, readers);
  if (mediaType === WORD_MEDIA_TYPE) return readWordDocument(bytes, readers);
  if (mediaType === 'text/plain') {
    return [{ page: 1, method: 'plain-text', confidence: 1, text: tidy(decodeText(bytes)) }];
  }
  throw permanent(`cannot extract text from ${mediaType}`);
}

/**
 * Text layers are read from the PDF opened without glyphs; the first page that has to be rendered
 * for OCR opens it again with them, once for the document.
 */
async function readPdf(bytes: Buffer, readers: PageReaders): Promise<PageText[]> {
  const text = await unbroken('the PDF cannot be opened', () => openPdf(bytes, { glyphs: false }));
  let drawn: Promise<PDFDocumentProxy> | undefined;
  const drawable = () => {
    drawn ??= unbroken('the PDF cannot be opened', () => openPdf(bytes));
    return drawn;
  };
  try {
    return await eachPage(text.numPages, readers.ocr, (page) =>
      readPdfPage(text, drawable, page, readers),
    );
  } finally {
    await text.destroy();
    await (await drawn?.catch(() => undefined))?.destroy();
  }
}

async function readPdfPage(
  text: PDFDocumentProxy,
  drawable: () => Promise<PDFDocumentProxy>,
  page: number,
  readers: PageReaders,
): Promise<PageText> {
  const layer = await unbroken(`page ${page}'s text cannot be read`, () =>
    pageTextLayer(text, page),
  );
  if (isUsableTextLayer(layer, readers.minTextLayerChars)) {
    return { page, method: 'text-layer', confidence: 1, text: layer };
  }
  const pdf = await drawable();
  const { png } = await unbroken(`page ${page} cannot be rendered`, () => renderPdfPage(pdf, page));
  return ocrPage(page, await prepareForOcr(png), readers.ocr);
}

async function readImage(
  bytes: Buffer,
  mediaType: string,
  readers: PageReaders,
): Promise<PageText[]> {
  const count = await unbroken('the image cannot be decoded', () => imagePageCount(bytes));
  const stretches = mediaType === 'image/tiff' ? tiffStretches(bytes, count) : [];
  return eachPage(count, readers.ocr, async (page) => {
    const image = await unbroken(`page ${page} of the image cannot be decoded`, () =>
      prepareForOcr(bytes, { page: page - 1, verticalStretch: stretches[page - 1] ?? 1 }),
    );
    return ocrPage(page, image, readers.ocr);
  });
}

/**
 * Each TIFF page's stretch to square pixels, from its resolution (fax pages are not square).
 * Validation has refused chains that loop or are damaged; pages it cannot tell stay as they are.
 */
function tiffStretches(bytes: Buffer, count: number): number[] {
  const directories = readTiffDirectories(bytes, count);
  return directories.kind === 'pages' ? directories.pages.map(verticalStretch) : [];
}

/** A Word document's text as its text layer, then each picture in it read by OCR. */
async function readWordDocument(bytes: Buffer, readers: PageReaders): Promise<PageText[]> {
  const { text, images } = await unbroken('the Word document cannot be read', () =>
    readWord(bytes),
  );
  const textPage: PageText = { page: 1, method: 'text-layer', confidence: 1, text: tidy(text) };
  const pictures = await eachPage(images.length, readers.ocr, async (index) => {
    const picture = images[index - 1]?.bytes ?? Buffer.alloc(0);
    const image = await unbroken(`picture ${index} cannot be decoded`, () =>
      prepareForOcr(picture),
    );
    return ocrPage(index + 1, image, readers.ocr);
  });
  return [textPage, ...pictures];
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
