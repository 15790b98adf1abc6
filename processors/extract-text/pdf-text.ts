import type { TextItem } from 'pdfjs-dist/types/src/display/api.js';
import type { PDFDocumentProxy } from '../pdf.ts';

/** The text layer of one page (1-based), one line of text per line on the page. */
export async function pageTextLayer(pdf: PDFDocumentProxy, pageNumber: number): Promise<string> {
  const page = await pdf.getPage(pageNumber);
  try {
    const content = await page.getTextContent();
    return joinLines(content.items.filter((item): item is TextItem => 'str' in item));
  } finally {
    page.cleanup();
  }
}

/**
 * pdf.js marks the end of most lines with `hasEOL`, but not every producer's: a change of
 * baseline by more than half the font size also starts a line, and a horizontal gap between
 * two runs stands for the space that some producers position instead of writing.
 */
export function joinLines(items: readonly TextItem[]): string {
  let text = '';
  let previous: { y: number; endX: number; size: number } | null = null;
  for (const item of items) {
    const [, , c = 0, d = 0, x = 0, y = 0] = item.transform as number[];
    const size = Math.hypot(c, d) || item.height || 1;
    const atLineStart = text === '' || text.endsWith('\n');
    if (previous && !atLineStart) {
      if (Math.abs(y - previous.y) > previous.size / 2) text += '\n';
      else if (x - previous.endX > size * 0.15 && !/\s$/.test(text) && !/^\s/.test(item.str)) {
        text += ' ';
      }
    }
    text += item.str;
    if (item.hasEOL) text += '\n';
    previous = { y, endX: x + item.width, size };
  }
  return tidy(text);
}

/** Trailing spaces off every line, at most one blank line in a row, no blank ends. */
export function tidy(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * Whether a page's text layer is worth more than reading the page: enough characters, and
 * mostly letters and digits. A font without a Unicode map yields control and private-use
 * characters, which mean the text has to be read from the rendered page instead.
 */
export function isUsableTextLayer(text: string, minChars: number): boolean {
  const visible = [...text.replace(/\s+/g, '')];
  if (visible.length < minChars) return false;
  const readable = visible.filter((ch) => /[\p{L}\p{N}\p{P}\p{S}]/u.test(ch) && !isOdd(ch));
  return readable.length / visible.length >= 0.9;
}

const isOdd = (ch: string) => /[\p{Co}\p{Cc}\uFFFD]/u.test(ch);
