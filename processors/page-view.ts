import pLimit from 'p-limit';
import sharp, { type Sharp } from 'sharp';
import { imagePageCount, type RenderOptions, renderPdfPage } from './extract-text/page-images.ts';
import { openPdf } from './pdf.ts';

/** The media types whose pages can be drawn: PDFs and scans. A text file has no page image. */
const DRAWN_TYPES = new Set(['application/pdf', 'image/png', 'image/jpeg', 'image/tiff']);

export interface PageViewOptions {
  /** Wider pages are scaled down to this width (px). */
  readonly maxWidth: number;
  /** How many pages are drawn at once; the rest wait their turn. */
  readonly concurrency: number;
}

/** Draws a document's pages for a person to look at (OCR has its own, larger rendering). */
export interface PageViewer {
  /** Whether documents of this media type have pages to draw. */
  draws(mediaType: string): boolean;
  /** Page `page` (1-based) as a PNG no wider than `maxWidth`; null past the last page. */
  draw(bytes: Buffer, mediaType: string, page: number): Promise<Buffer | null>;
}

export const PAGE_VIEW: PageViewOptions = { maxWidth: 1200, concurrency: 2 };

/**
 * pdf.js parses and draws on the calling thread (sharp works on libuv's pool): a Letter page at
 * this size takes tens of milliseconds; the concurrency limit keeps a burst of requests from
 * holding the event loop, and the memory of many pages, all at once.
 */
export function createPageViewer(options: PageViewOptions = PAGE_VIEW): PageViewer {
  const limit = pLimit(options.concurrency);
  // Letter at 150 dpi is 1275 px wide; the pixel limit lowers the dpi of larger pages.
  const render: RenderOptions = { dpi: 150, maxPixels: 1.5 * options.maxWidth ** 2 };
  const toPng = (image: Sharp) =>
    image.resize({ width: options.maxWidth, withoutEnlargement: true }).png().toBuffer();

  const drawPdf = async (bytes: Buffer, page: number) => {
    const pdf = await openPdf(bytes);
    try {
      if (page > pdf.numPages) return null;
      return await toPng(sharp((await renderPdfPage(pdf, page, render)).png));
    } finally {
      await pdf.destroy();
    }
  };

  const drawImage = async (bytes: Buffer, page: number) => {
    if (page > (await imagePageCount(bytes))) return null;
    const { channels } = await sharp(bytes, { page: page - 1 }).metadata();
    // PNG holds at most four channels: a TIFF with extra samples drops its alpha.
    const image = sharp(bytes, { page: page - 1 }).autoOrient();
    return toPng(channels > 4 ? image.removeAlpha() : image);
  };

  return {
    draws: (mediaType) => DRAWN_TYPES.has(mediaType),
    draw(bytes, mediaType, page) {
      if (!DRAWN_TYPES.has(mediaType)) throw new RangeError(`${mediaType} has no page images`);
      return limit(() =>
        mediaType === 'application/pdf' ? drawPdf(bytes, page) : drawImage(bytes, page),
      );
    },
  };
}
