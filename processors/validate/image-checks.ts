import sharp from 'sharp';
import type { PageInfo } from '../../schemas/events.ts';
import { readTiffDirectories } from '../tiff-directories.ts';
import { megapixels, type ValidationLimits } from './limits.ts';
import { accepted, type Rejection, rejected, tooManyPages, type Validation } from './outcome.ts';

export type ImageMediaType = 'image/png' | 'image/jpeg' | 'image/tiff';

const FORMAT_OF: Record<ImageMediaType, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/tiff': 'tiff',
};

/**
 * An image is accepted when every page of it decodes, pixel by pixel, and none is larger than
 * the pixel limit. A TIFF may hold many pages; each counts against the page limit. Page sizes
 * are in pixels, upright (EXIF orientation applied).
 */
export async function checkImage(
  bytes: Uint8Array,
  mediaType: ImageMediaType,
  limits: ValidationLimits,
): Promise<Validation> {
  const header = await readHeader(bytes, 0);
  if (!header) return rejected('IMAGE_UNREADABLE', 'the image header cannot be read');
  if (header.format !== FORMAT_OF[mediaType]) {
    return rejected('IMAGE_UNREADABLE', `the bytes are ${header.format}, not ${mediaType}`);
  }
  const counted = mediaType === 'image/tiff' ? tiffPageCount(bytes, limits) : 1;
  if (typeof counted !== 'number') return counted;
  const pageCount = Math.max(counted, header.pages ?? 1);
  if (pageCount > limits.maxPages) return tooManyPages(pageCount, limits);
  const pages: PageInfo[] = [];
  for (let index = 0; index < pageCount; index++) {
    const page = await checkPage(bytes, index, limits);
    if ('ok' in page) return page;
    pages.push(page);
  }
  return accepted(pages);
}

/**
 * The pages of a TIFF, counted along its directory chain before any decoder follows it: a chain
 * that comes back on itself would have a decoder read the same pages for ever.
 */
function tiffPageCount(bytes: Uint8Array, limits: ValidationLimits): number | Rejection {
  const directories = readTiffDirectories(bytes, limits.maxPages);
  switch (directories.kind) {
    case 'pages':
      return directories.pages.length;
    case 'loop':
      return rejected(
        'TIFF_PAGE_LOOP',
        `the pages loop: the page after page ${directories.page} is an earlier one, again`,
      );
    case 'too-many':
      return rejected('TOO_MANY_PAGES', `more than the ${limits.maxPages} pages allowed`);
    case 'damaged':
      return rejected('IMAGE_UNREADABLE', `the TIFF cannot be read: ${directories.message}`);
  }
}

async function checkPage(
  bytes: Uint8Array,
  index: number,
  limits: ValidationLimits,
): Promise<PageInfo | Rejection> {
  const number = index + 1;
  const header = await readHeader(bytes, index);
  if (!header) return rejected('IMAGE_UNREADABLE', `page ${number} has no readable header`);
  const { width, height } = header.autoOrient;
  // Refused from the header, before a single pixel is decoded.
  if (width * height > limits.maxPagePixels) {
    return rejected(
      'IMAGE_TOO_LARGE',
      `page ${number} is ${width}x${height}, ${megapixels(width * height)}, ` +
        `more than ${megapixels(limits.maxPagePixels)}`,
    );
  }
  if (!(await decodes(bytes, index, limits))) {
    return rejected(
      'IMAGE_UNREADABLE',
      `page ${number} cannot be decoded: its image data is damaged`,
    );
  }
  return { page: number, width, height };
}

function readHeader(bytes: Uint8Array, page: number) {
  return sharp(bytes, { page, limitInputPixels: false })
    .metadata()
    .catch(() => null);
}

/**
 * Decodes every pixel of a page (reading the header is not enough: a truncated JPEG has a whole
 * one). `failOn: 'error'` refuses truncated and corrupt data but lets through the harmless
 * warnings many cameras' and scanners' files raise.
 */
async function decodes(
  bytes: Uint8Array,
  page: number,
  limits: ValidationLimits,
): Promise<boolean> {
  try {
    await sharp(bytes, { page, failOn: 'error', limitInputPixels: limits.maxPagePixels }).stats();
    return true;
  } catch {
    // The decoder's own words name its internals, not the document: the client gets ours.
    return false;
  }
}
