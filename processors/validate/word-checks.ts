import type { PageInfo } from '../../schemas/events.ts';
import { readWord, type WordContent } from '../word.ts';
import { megapixels, type ValidationLimits } from './limits.ts';
import { accepted, rejected, tooManyPages, type Validation } from './outcome.ts';
import { checkWordBounds } from './word-bounds.ts';

/**
 * A Word document is accepted when it opens and holds text or pictures to read. Its text is
 * page 1, with no size (a .docx has no pages until a word processor lays it out); each raster
 * picture in it is a further page, sized in pixels, under the same limits as an image. Its zip is
 * inflated within bounds first, so a Word bomb is refused before mammoth holds it in memory.
 */
export async function checkWord(bytes: Buffer, limits: ValidationLimits): Promise<Validation> {
  const bomb = await checkWordBounds(bytes, limits.word);
  if (bomb) return bomb;
  let content: WordContent;
  try {
    content = await readWord(bytes);
  } catch {
    // mammoth's message names zip entries and XML nodes, not what a client can act on.
    return rejected('DOCX_UNREADABLE', 'the Word document cannot be read: it is damaged');
  }
  const { text, images } = content;
  if (text.trim() === '' && images.length === 0) {
    return rejected('TEXT_EMPTY', 'the Word document holds no text and no pictures');
  }
  if (1 + images.length > limits.maxPages) return tooManyPages(1 + images.length, limits);
  const pages: PageInfo[] = [{ page: 1, width: 0, height: 0 }];
  for (const [index, { width, height }] of images.entries()) {
    if (width * height > limits.maxPagePixels) {
      return rejected(
        'IMAGE_TOO_LARGE',
        `picture ${index + 1} is ${width}x${height}, more than ${megapixels(limits.maxPagePixels)}`,
      );
    }
    pages.push({ page: index + 2, width, height });
  }
  return accepted(pages);
}
