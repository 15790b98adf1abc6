import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { convert as htmlToText } from 'html-to-text';
import { simpleParser } from 'mailparser';
import yauzl from 'yauzl';
import type { ExpandContext } from './context.ts';

/** The child an e-mail's body becomes, beside one per attachment. */
export const EMAIL_BODY_ENTRY = 'body.txt';

/**
 * Opens an RFC 822 message: its body as text (HTML made text when there is no plain part) and
 * each attachment as an entry of its own. The parser holds the message in memory; its size is
 * bounded by the upload's limit, or by the expanded-bytes limit when it sat in an archive.
 */
export async function expandEmail(
  path: string,
  depth: number,
  prefix: string,
  ctx: ExpandContext,
): Promise<void> {
  const mail = await simpleParser(createReadStream(path), {
    skipImageLinks: true,
    skipTextToHtml: true,
    skipTextLinks: true,
  });
  // The parser gives no text for a message with only an HTML body.
  const body = (mail.text || (mail.html ? htmlToText(mail.html, { wordwrap: false }) : '')).trim();
  if (body) {
    const entryPath = `${prefix}${EMAIL_BODY_ENTRY}`;
    if (!ctx.count(entryPath)) return;
    await ctx.admit({
      entryPath,
      depth,
      open: async () => Readable.from([Buffer.from(`${body}\n`, 'utf8')]),
    });
  }
  for (const [i, attachment] of mail.attachments.entries()) {
    const name = attachment.filename ?? `attachment-${i + 1}`;
    const entryPath = `${prefix}${name}`;
    if (!ctx.count(entryPath)) return;
    const unsafe = yauzl.validateFileName(name);
    if (unsafe) {
      ctx.reject(
        entryPath,
        'ARCHIVE_ENTRY_PATH_UNSAFE',
        `the attachment's name is unsafe (${unsafe})`,
      );
      continue;
    }
    await ctx.admit({ entryPath, depth, open: async () => Readable.from([attachment.content]) });
  }
}
