import type { BlobReader } from '../producers/blobs/blob-store.ts';
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
export async function documentPages(
  event: TextExtracted,
  blobs: BlobReader,
): Promise<DocumentPage[]> {
  const { textRef, pages, confidence } = event.data;
  const texts = textRef
    ? parseTextBlob(await blobs.read(event.metadata.tenantId, textRef), textRef)
    : pages.map(({ page, text }) => ({ page, text: text ?? '' }));
  const confidenceOf = new Map(pages.map((page) => [page.page, page.confidence]));
  return texts
    .map(({ page, text }) => ({ page, text, confidence: confidenceOf.get(page) ?? confidence }))
    .sort((a, b) => a.page - b.page);
}

/** The document's whole text, pages in order, one newline between pages. */
export async function documentText(event: TextExtracted, blobs: BlobReader): Promise<string> {
  return joinPages(await documentPages(event, blobs));
}

export function joinPages(pages: ReadonlyArray<{ page: number; text: string }>): string {
  return [...pages]
    .sort((a, b) => a.page - b.page)
    .map((page) => page.text)
    .join('\n');
}

/** `{ pages: [{ page, text }] }`; anything else can never be read, so it is permanent. */
export function parseTextBlob(bytes: Buffer, ref: string): Array<{ page: number; text: string }> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw permanent(`text blob ${ref} is not JSON`, error);
  }
  const pages = (parsed as { pages?: unknown } | null)?.pages;
  const valid =
    Array.isArray(pages) &&
    pages.every(
      (page) =>
        typeof page?.page === 'number' && (typeof page.text === 'string' || page.text === null),
    );
  if (!valid) throw permanent(`text blob ${ref} does not hold { pages: [{ page, text }] }`);
  return pages.map(({ page, text }) => ({ page, text: text ?? '' }));
}
