const HEADER_LINE = /^[!-9;-~]+:/;
const CONTINUATION = /^[ \t]/;
const MESSAGE_HEADERS = new Set(['from', 'subject', 'mime-version', 'to', 'date', 'message-id']);

/**
 * Whether the first bytes read as an RFC 822 message: a block of header lines from the very
 * start, naming at least two of the headers every e-mail carries (From:, Subject:, ...). A text
 * that merely mentions "From:" in its first line is not one.
 */
export function looksLikeEmail(head: Buffer): boolean {
  const lines = head.toString('latin1').split(/\r?\n/);
  const seen = new Set<string>();
  for (const [i, line] of lines.entries()) {
    if (line === '') break;
    if (i === lines.length - 1) break; // may be cut short by the sample
    if (CONTINUATION.test(line) && i > 0) continue;
    if (!HEADER_LINE.test(line)) return false;
    const name = line.slice(0, line.indexOf(':')).toLowerCase();
    if (MESSAGE_HEADERS.has(name)) seen.add(name);
  }
  return seen.has('from') && seen.size >= 2;
}
