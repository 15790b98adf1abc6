import { tidy } from './pdf-text.ts';

/** UTF-8 (with or without a BOM); files from older systems that are not UTF-8 are Windows-1252. */
export function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/** A page as extraction reads it (`PageText` of `read-pages.ts`). */
export interface PlainTextPage {
  readonly page: number;
  readonly method: 'plain-text';
  readonly confidence: number;
  readonly text: string;
}

/** A plain-text document is one page: its text, decoded and tidied, cut at `pageMaxBytes`. */
export function plainTextPages(bytes: Uint8Array, pageMaxBytes: number): PlainTextPage[] {
  const text = capText(tidy(decodeText(bytes)), pageMaxBytes);
  return [{ page: 1, method: 'plain-text', confidence: 1, text }];
}

/**
 * The longest start of `text` within `maxBytes` of UTF-8, cut between characters. Search indexes
 * and the analyses after extraction take a page's first `maxBytes`; the whole stays in the file.
 */
export function capText(text: string, maxBytes: number): string {
  // A UTF-16 unit is at most 3 bytes of UTF-8 (a surrogate pair, 4 for 2 units).
  if (text.length * 3 <= maxBytes || Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const bytes = Buffer.from(text.slice(0, maxBytes), 'utf8').subarray(0, maxBytes);
  // A character cut in two decodes to U+FFFD at the end: drop it.
  return bytes.toString('utf8').replace(/\uFFFD$/, '');
}
