import type { BlobReaderWriter } from '../../infra/blobs/blob-store.ts';
import { encodeStoredText } from '../../infra/blobs/stored-text.ts';
import type { ExtractedPage, TextExtracted } from '../../schemas/events.ts';
import type { Processor } from '../runtime/processor.ts';
import { processorVersion } from '../versions.ts';
import { detectLanguage } from './language.ts';
import type { OcrEngine } from './ocr-pool.ts';
import { type PageText, readPages } from './read-pages.ts';

export interface ExtractTextDeps {
  readonly blobs: BlobReaderWriter;
  readonly ocr: OcrEngine;
  /** Text larger than this (UTF-8 bytes, all pages) goes to the blob store, not into the event. */
  readonly inlineMaxBytes?: number;
  /** A PDF page's text layer with fewer visible characters than this is read by OCR instead. */
  readonly minTextLayerChars?: number;
}

export const INLINE_MAX_BYTES = 64 * 1024;
/** Fewer characters than a short sentence is a page number or a scanner's stamp over an image. */
export const MIN_TEXT_LAYER_CHARS = 32;

/** Reads the text of a validated document: its PDF text layer where it has one, else by OCR. */
export function createExtractTextProcessor(deps: ExtractTextDeps): Processor<'DocumentValidated'> {
  const inlineMaxBytes = deps.inlineMaxBytes ?? INLINE_MAX_BYTES;
  const readers = {
    ocr: deps.ocr,
    minTextLayerChars: deps.minTextLayerChars ?? MIN_TEXT_LAYER_CHARS,
  };
  return {
    name: 'extract-text',
    version: processorVersion('extract-text'),
    consumes: ['DocumentValidated'],
    async handle(event) {
      const { tenantId } = event.metadata;
      const bytes = await deps.blobs.read(tenantId, event.data.blobRef);
      const pages = await readPages(bytes, event.data.mediaType, readers);
      const stored = await storeIfLarge(pages, inlineMaxBytes, (json) =>
        deps.blobs.put(tenantId, json),
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

const charCount = (text: string) => [...text].length;

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
