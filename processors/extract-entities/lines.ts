import type { Span } from '../../schemas/events.ts';
import type { DocumentPage } from '../document-text.ts';

/** One line of a page, and where it starts in that page's text. */
export interface Line {
  readonly page: number;
  /** Offset of the line's first character in its page's text. */
  readonly start: number;
  readonly text: string;
  /** How sure the text extraction was of the page this line is on. */
  readonly pageConfidence: number;
}

/** Every line of every page, in reading order, keeping page-relative offsets. */
export function linesOf(pages: readonly DocumentPage[]): Line[] {
  return pages.flatMap(({ page, text, confidence }) => {
    const lines: Line[] = [];
    let start = 0;
    for (const lineText of text.split('\n')) {
      lines.push({ page, start, text: lineText.replace(/\r$/, ''), pageConfidence: confidence });
      start += lineText.length + 1;
    }
    return lines;
  });
}

/**
 * Where a value sits: `from`..`to` within the line. Its confidence is the page's OCR confidence
 * times how sure the pattern that found it is.
 */
export function spanIn(line: Line, from: number, to: number, certainty: number): Span {
  return {
    page: line.page,
    start: line.start + from,
    end: line.start + to,
    confidence: Math.round(line.pageConfidence * certainty * 1000) / 1000,
  };
}

/** The part of `text` from `from` to `to` without its surrounding blanks and separators. */
export function trimmed(text: string, from: number, to: number): { from: number; to: number } {
  let start = from;
  let end = to;
  while (start < end && /[\s:;,.\-–|]/.test(text[start] ?? '')) start += 1;
  while (end > start && /[\s:;,\-–|]/.test(text[end - 1] ?? '')) end -= 1;
  return { from: start, to: end };
}

/** Letters OCR reads as digits inside a word, read back as letters: `Pac1ente` -> `paciente`. */
function unconfuseWord(word: string): string {
  if ((word.match(/\p{L}/gu) ?? []).length < 2) return word;
  return word.replace(/0/g, 'o').replace(/1/g, 'l').replace(/5/g, 's').replace(/8/g, 'b');
}

/** Text as labels and vocabularies compare it: lower case, no accents, no punctuation. */
export function plainKey(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .map(unconfuseWord)
    .join(' ');
}

/** Whitespace collapsed, ends trimmed. */
export const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();
