import { francAll } from 'franc-min';

/** The languages documents arrive in; anything else is reported as the closer of these. */
export const LANGUAGES = ['eng', 'spa'] as const;
export type DetectedLanguage = (typeof LANGUAGES)[number] | 'und';

/** Below this many letters trigram statistics are noise: a stamp, a page number, a name. */
const MIN_LETTERS = 30;
/** francAll scores the best language 1 and the others relative to it; closer than this is a tie. */
const MIN_MARGIN = 0.05;
/** Enough of a text to leave franc its 2048 letters and spaces after digits and signs are gone. */
const SAMPLE_CHARS = 64 * 1024;

/** The language of a text, by trigrams; `und` when it is too short or the scores are too close. */
export function detectLanguage(text: string): DetectedLanguage {
  // Digits, units and punctuation say nothing about the language; lab reports are full of them.
  // franc reads the first 2048 characters of what is left: a long text's start is enough.
  const words = text
    .slice(0, SAMPLE_CHARS)
    .replace(/[^\p{L}\s]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (words.replace(/\s/g, '').length < MIN_LETTERS) return 'und';
  const [best, second] = francAll(words, { only: [...LANGUAGES], minLength: 1 });
  if (!best || best[0] === 'und') return 'und';
  if (second && best[1] - second[1] < MIN_MARGIN) return 'und';
  return best[0] as DetectedLanguage;
}
