/** A page's text as a large extraction keeps it in the blob store. */
export interface StoredPage {
  readonly page: number;
  readonly text: string;
}

/** The blob an extraction too large for its event keeps its text in: `{ pages: [{ page, text }] }`. */
export function encodeStoredText(pages: readonly StoredPage[]): Buffer {
  return Buffer.from(JSON.stringify({ pages: pages.map(({ page, text }) => ({ page, text })) }));
}

/** The pages a text blob holds, or null when the bytes are not one. */
export function decodeStoredText(bytes: Buffer): StoredPage[] | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    return null;
  }
  const pages = (parsed as { pages?: unknown } | null)?.pages;
  const valid =
    Array.isArray(pages) &&
    pages.every(
      (page) =>
        typeof page?.page === 'number' && (typeof page.text === 'string' || page.text === null),
    );
  return valid ? pages.map(({ page, text }) => ({ page, text: text ?? '' })) : null;
}
