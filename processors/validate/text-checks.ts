import { accepted, rejected, type Validation } from './outcome.ts';

/**
 * Plain text is accepted when the whole file is UTF-8 (upload only looked at its first bytes)
 * and holds something besides whitespace. It is one page with no size.
 */
export function checkText(bytes: Uint8Array): Validation {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return rejected('TEXT_NOT_UTF8', 'the text is not valid UTF-8');
  }
  if (text.trim() === '') return rejected('TEXT_EMPTY', 'the text holds nothing but whitespace');
  return accepted([{ page: 1, width: 0, height: 0 }]);
}
