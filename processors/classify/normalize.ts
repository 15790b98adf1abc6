/**
 * Text as the rules compare it: lower case, no accents, punctuation as spaces, single spaces.
 * Digits wedged between letters are read back as the letters OCR mistakes them for.
 */
export function normalizeText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/(?<=[a-z])[0|](?=[a-z])/g, 'o')
    .replace(/(?<=[a-z])[1|!](?=[a-z])/g, 'l')
    .replace(/(?<=[a-z])5(?=[a-z])/g, 's')
    .replace(/[^a-z0-9/#$%-]+/g, ' ')
    .trim();
}

/** A line set out as a heading: short, and its letters in capitals. */
export function isHeadingLine(line: string): boolean {
  const letters = line.replace(/[^\p{L}]/gu, '');
  if (letters.length < 4 || line.trim().length > 60) return false;
  const capitals = letters.replace(/[^\p{Lu}]/gu, '').length;
  return capitals / letters.length >= 0.8;
}

export interface TextLine {
  /** The line as the rules see it, padded with a space at each end. */
  readonly padded: string;
  /** Whether a match here is a title or heading match, and how much more it weighs. */
  readonly zone: 'title' | 'heading' | 'body';
}

/** How many non-empty lines at the top of the first page make up its title. */
const TITLE_LINES = 3;

/** The lines of a document, each marked as title, heading or body. */
export function linesOf(text: string): TextLine[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  return lines.map((line, index) => ({
    padded: ` ${normalizeText(line)} `,
    zone: index < TITLE_LINES ? 'title' : isHeadingLine(line) ? 'heading' : 'body',
  }));
}
