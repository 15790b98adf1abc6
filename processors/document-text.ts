import type { BlobReader } from '../infra/blobs/blob-store.ts';
import { decodeStoredText, type StoredPage } from '../infra/blobs/stored-text.ts';
import type { TextExtracted } from '../schemas/events.ts';
import { permanent } from './runtime/processor.ts';

/** One page of extracted text, with how sure the extraction was of it (0..1). */
export interface DocumentPage {
  readonly page: number;
  readonly text: string;
  readonly confidence: number;
}

/**
 * The document's pages in page order: inline in the event, or in the blob it points to. A page
 * the blob holds but the event does not list takes the document's overall confidence.
 */
/** How a text blob's bytes become its pages (the caller may do it on another thread). */
export type DecodeTextBlob = (bytes: Buffer) => Promise<StoredPage[] | null>;

const decodeHere: DecodeTextBlob = async (bytes) => decodeStoredText(bytes);

export async function documentPages(
  event: TextExtracted,
  blobs: BlobReader,
  decode: DecodeTextBlob = decodeHere,
): Promise<DocumentPage[]> {
  const { textRef, pages, confidence } = event.data;
  const texts = textRef
    ? await parseTextBlob(await blobs.read(event.metadata.tenantId, textRef), textRef, decode)
    : pages.map(({ page, text }) => ({ page, text: text ?? '' }));
  const confidenceOf = new Map(pages.map((page) => [page.page, page.confidence]));
  return texts
    .map(({ page, text }) => ({ page, text, confidence: confidenceOf.get(page) ?? confidence }))
    .sort((a, b) => a.page - b.page);
}

/** The document's whole text, pages in order, one newline between pages. */
export async function documentText(
  event: TextExtracted,
  blobs: BlobReader,
  decode: DecodeTextBlob = decodeHere,
): Promise<string> {
  return (await documentPages(event, blobs, decode)).map((page) => page.text).join('\n');
}

/** A text blob that is not one can never be read: that is permanent. */
async function parseTextBlob(
  bytes: Buffer,
  ref: string,
  decode: DecodeTextBlob,
): Promise<StoredPage[]> {
  const pages = await decode(bytes);
  if (!pages) throw permanent(`text blob ${ref} does not hold { pages: [{ page, text }] }`);
  return pages;
}
