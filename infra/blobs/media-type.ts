import { isUtf8 } from 'node:buffer';
import { fileTypeFromBuffer, fileTypeFromFile } from 'file-type';
import sharp from 'sharp';
import { HEAD_BYTES, type StagedBlob } from './blob-store.ts';
import { looksLikeEmail } from './email-head.ts';

export const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
export const ZIP = 'application/zip';
export const EMAIL = 'message/rfc822';
/** Types validation opens into child documents rather than reading as one. */
export const CONTAINER_MEDIA_TYPES: readonly string[] = [ZIP, EMAIL];

export const ALLOWED_MEDIA_TYPES = [
  'application/pdf',
  'image/png',
  'image/jpeg',
  'image/tiff',
  'text/plain',
  DOCX,
  // Containers: validation opens them into child documents.
  ZIP,
  EMAIL,
] as const;
export type AllowedMediaType = (typeof ALLOWED_MEDIA_TYPES)[number];

const allowed = new Set<string>(ALLOWED_MEDIA_TYPES);

/** Content to type: bytes in memory, or a staged file with its first bytes. */
export type Content = Buffer | Pick<StagedBlob, 'head' | 'path'>;

const IMAGE_FORMATS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/tiff': 'tiff',
};

/**
 * The media type from the content, whatever the name says; null when it is not one we accept.
 * The magic number is read with the whole file at hand, not a fixed window: a TIFF's first page
 * directory may sit anywhere, often at the end, and a DOCX is known by its zip entries. An image
 * is then confirmed by decoding its header. Text has no magic number: it must be UTF-8 with no
 * control characters but whitespace. PDFs, DOCX and text are decoded in full by validation.
 */
export async function detectMediaType(content: Content): Promise<AllowedMediaType | null> {
  const mime = await magic(content);
  if (!mime) {
    if (looksLikeEmail(headOf(content))) return EMAIL;
    return looksLikeText(headOf(content)) ? 'text/plain' : null;
  }
  if (!allowed.has(mime)) return null;
  const format = IMAGE_FORMATS[mime];
  if (format && !(await decodesAs(content, format))) return null;
  return mime as AllowedMediaType;
}

/** Why content that is not accepted is refused: a code a client can act on, in our words. */
export async function refusalOf(content: Content): Promise<{ code: string; message: string }> {
  // A Compound File is how Office 97-2003 stored its documents: Word's .doc above all.
  if ((await magic(content)) === 'application/x-cfb') {
    return {
      code: 'WORD_97_UNSUPPORTED',
      message:
        'Word 97-2003 (.doc) and other older Office files are not accepted: save it as .docx or PDF',
    };
  }
  return {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message:
      'the content is not a PDF, PNG, JPEG, TIFF, Word (.docx), plain text, zip or e-mail file',
  };
}

const headOf = (content: Content) => (Buffer.isBuffer(content) ? content : content.head);

async function magic(content: Content): Promise<string | undefined> {
  const detected = Buffer.isBuffer(content)
    ? await fileTypeFromBuffer(content)
    : await fileTypeFromFile(content.path);
  return detected?.mime;
}

/** Reads the image's header wherever in the file it is, as libvips does to decode it. */
async function decodesAs(content: Content, format: string): Promise<boolean> {
  const input = Buffer.isBuffer(content) ? content : content.path;
  const metadata = await sharp(input, { limitInputPixels: false })
    .metadata()
    .catch(() => null);
  return metadata?.format === format;
}

function looksLikeText(head: Buffer): boolean {
  if (head.length === 0) return false;
  // A sample cut from a longer file may end inside a multi-byte character.
  const cuts = head.length >= HEAD_BYTES ? [0, 1, 2, 3] : [0];
  const utf8 = cuts.some((cut) => isUtf8(head.subarray(0, head.length - cut)));
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we look for
  return utf8 && !/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(head.toString('utf8'));
}
