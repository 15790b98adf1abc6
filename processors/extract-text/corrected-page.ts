import type { OcrLine } from './lab-cells.ts';

/** A word of the page read again: its new text and tesseract's confidence in that reading. */
export interface WordCorrection {
  readonly line: number;
  readonly word: number;
  readonly text: string;
  /** 0..100 */
  readonly confidence: number;
}

/**
 * The page's text with the corrected words put in place of the first reading. Each line is
 * found in the text in order, each word within its line; a word that cannot be found (tesseract
 * wrote the line differently) keeps its first reading.
 */
export function correctedText(
  text: string,
  lines: readonly OcrLine[],
  corrections: readonly WordCorrection[],
): string {
  const byWord = new Map(corrections.map((c) => [`${c.line}:${c.word}`, c.text]));
  const edits: Array<{ at: number; length: number; text: string }> = [];
  let cursor = 0;
  lines.forEach((line, l) => {
    const lineText = line.text.trimEnd();
    const lineAt = lineText ? text.indexOf(lineText, cursor) : -1;
    if (lineAt < 0) return;
    cursor = lineAt + lineText.length;
    let within = 0;
    line.words.forEach((word, w) => {
      const wordAt = lineText.indexOf(word.text, within);
      if (wordAt < 0) return;
      within = wordAt + word.text.length;
      const replacement = byWord.get(`${l}:${w}`);
      if (replacement !== undefined) {
        edits.push({ at: lineAt + wordAt, length: word.text.length, text: replacement });
      }
    });
  });
  return edits
    .sort((a, b) => b.at - a.at)
    .reduce(
      (result, edit) => result.slice(0, edit.at) + edit.text + result.slice(edit.at + edit.length),
      text,
    );
}

/**
 * The page's confidence after the corrections: it moves by what the re-read words' own
 * confidences change in the mean word confidence, and never up. A word read twice is not more
 * certain than tesseract said of the page, and a weaker second reading shows.
 */
export function correctedConfidence(
  pageConfidence: number,
  lines: readonly OcrLine[],
  corrections: readonly WordCorrection[],
): number {
  const words = lines.flatMap((line, l) =>
    line.words.map((word, w) => ({ word, key: `${l}:${w}` })),
  );
  if (words.length === 0 || corrections.length === 0) return pageConfidence;
  const byWord = new Map(corrections.map((c) => [`${c.line}:${c.word}`, c.confidence]));
  const mean = (confidences: number[]) =>
    confidences.reduce((sum, c) => sum + c, 0) / confidences.length / 100;
  const before = mean(words.map(({ word }) => word.confidence));
  const after = mean(words.map(({ word, key }) => byWord.get(key) ?? word.confidence));
  return Math.max(0, Math.min(pageConfidence, pageConfidence + after - before));
}
