import type { BlobReaderWriter } from '../../infra/blobs/blob-store.ts';
import { encodeStoredText } from '../../infra/blobs/stored-text.ts';
import type { ExtractedPage, TextExtracted } from '../../schemas/events.ts';
import { inlineOffload, type Offload } from '../offload/offload.ts';
import type { Processor } from '../runtime/processor.ts';
import { processorVersion } from '../versions.ts';
import { detectLanguage } from './language.ts';
import type { OcrEngine } from './ocr-pool.ts';
import { capText } from './plain-text.ts';
import { type PageText, readPages } from './read-pages.ts';

export interface ExtractTextDeps {
  readonly blobs: BlobReaderWriter;
  readonly ocr: OcrEngine;
  /** Text larger than this (UTF-8 bytes, all pages) goes to the blob store, not into the event. */
  readonly inlineMaxBytes?: number;
  /** A PDF page's text layer with fewer visible characters than this is read by OCR instead. */
  readonly minTextLayerChars?: number;
  /** A page's text past this many UTF-8 bytes is cut off (the document's file keeps it all). */
  readonly pageMaxBytes?: number;
  /** Where plain text is decoded, off the thread that serves; in the caller by default. */
  readonly offload?: Offload;
}

export const INLINE_MAX_BYTES = 64 * 1024;
/** Fewer characters than a short sentence is a page number or a scanner's stamp over an image. */
export const MIN_TEXT_LAYER_CHARS = 32;
/** Far beyond any real page; PostgreSQL's text search refuses a page's index past 1 MiB. */
export const PAGE_MAX_BYTES = 512 * 1024;

/** Reads the text of a validated document: its PDF text layer where it has one, else by OCR. */
export function createExtractTextProcessor(deps: ExtractTextDeps): Processor<'DocumentValidated'> {
  const inlineMaxBytes = deps.inlineMaxBytes ?? INLINE_MAX_BYTES;
  const pageMaxBytes = deps.pageMaxBytes ?? PAGE_MAX_BYTES;
  const offload = deps.offload ?? inlineOffload;
  const read = async (bytes: Buffer, mediaType: string): Promise<PageText[]> => {
    if (mediaType === 'text/plain') {
      // Nothing reads the bytes after this: they are moved to the worker, not copied.
      return offload.run('plainTextPages', { bytes, pageMaxBytes }, bytes.length, {
        handOver: bytes,
      });
    }
    const pages = await readPages(bytes, mediaType, readers);
    return pages.map((page) => ({ ...page, text: capText(page.text, pageMaxBytes) }));
  };
  const readers = {
    ocr: deps.ocr,
    minTextLayerChars: deps.minTextLayerChars ?? MIN_TEXT_LAYER_CHARS,
  };
  return {
    name: 'extract-text',
    version: processorVersion('extract-text'),
    consumes: ['DocumentValidated'],
    async handle(event) {
      const { tenantId, aggregateId } = event.metadata;
      const bytes = await deps.blobs.read(tenantId, event.data.blobRef);
      const pages = await read(bytes, event.data.mediaType);
      const stored = await storeIfLarge(pages, inlineMaxBytes, (json) =>
        deps.blobs.put(tenantId, json, aggregateId),
      );
      const data: TextExtracted['data'] = {
        round: event.data.round,
        ...summarise(pages),
        pages: pages.map((page) => extractedPage(page, stored.inline)),
        textRef: stored.textRef,
        hint: event.data.hint,
      };
      return [{ type: 'TextExtracted', data }];
    },
  };
}

/** Characters (code points), not UTF-16 units. */
function charCount(text: string): number {
  let count = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xdc00 && unit <= 0xdfff && i > 0) {
      const before = text.charCodeAt(i - 1);
      if (before >= 0xd800 && before <= 0xdbff) count--;
    }
  }
  return count;
}

function extractedPage(page: PageText, inline: boolean): ExtractedPage {
  return {
    page: page.page,
    method: page.method,
    confidence: round(page.confidence),
    charCount: charCount(page.text),
    text: inline ? page.text : null,
  };
}

/** Method, language and confidence of the whole document; confidence weighted by characters. */
export function summarise(pages: readonly PageText[]) {
  const methods = new Set(pages.map((page) => page.method));
  const [only] = methods;
  const total = pages.reduce((sum, page) => sum + charCount(page.text), 0);
  const weighted = pages.reduce((sum, page) => sum + page.confidence * charCount(page.text), 0);
  return {
    method: methods.size === 1 && only ? only : ('mixed' as const),
    language: detectLanguage(pages.map((page) => page.text).join('\n')),
    confidence: total > 0 ? round(weighted / total) : 0,
    charCount: total,
  };
}

/** Large text goes to the blob store; the event keeps its ref. */
async function storeIfLarge(
  pages: readonly PageText[],
  inlineMaxBytes: number,
  put: (json: Buffer) => Promise<string>,
): Promise<{ inline: boolean; textRef: string | null }> {
  const size = pages.reduce((sum, page) => sum + Buffer.byteLength(page.text, 'utf8'), 0);
  if (size <= inlineMaxBytes) return { inline: true, textRef: null };
  return { inline: false, textRef: await put(encodeStoredText(pages)) };
}

const round = (value: number) => Math.round(value * 1000) / 1000;
