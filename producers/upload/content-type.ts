import { isUtf8 } from 'node:buffer';
import { fileTypeFromBuffer } from 'file-type';
import { HEAD_BYTES } from '../../infra/blobs/blob-store.ts';

export const ALLOWED_MEDIA_TYPES = [
  'application/pdf',
  'image/png',
  'image/jpeg',
  'image/tiff',
  'text/plain',
] as const;
export type AllowedMediaType = (typeof ALLOWED_MEDIA_TYPES)[number];

const allowed = new Set<string>(ALLOWED_MEDIA_TYPES);

/**
 * The media type from the content's first bytes, whatever the name says; null when it is not
 * one we accept. Text has no magic number: it must be UTF-8 with no control characters but
 * whitespace.
 */
export async function detectMediaType(head: Buffer): Promise<AllowedMediaType | null> {
  const detected = await fileTypeFromBuffer(head);
  if (detected) return allowed.has(detected.mime) ? (detected.mime as AllowedMediaType) : null;
  return looksLikeText(head) ? 'text/plain' : null;
}

function looksLikeText(head: Buffer): boolean {
  if (head.length === 0) return false;
  // A sample cut from a longer file may end inside a multi-byte character.
  const cuts = head.length >= HEAD_BYTES ? [0, 1, 2, 3] : [0];
  const utf8 = cuts.some((cut) => isUtf8(head.subarray(0, head.length - cut)));
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we look for
  return utf8 && !/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(head.toString('utf8'));
}
