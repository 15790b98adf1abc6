import type { PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import sharp from 'sharp';
import type { PDFDocumentProxy } from '../pdf.ts';

/** How a PDF page is rasterised for OCR. */
export interface RenderOptions {
  /** Tesseract is trained on text of 20-40 px x-height; 300 dpi puts 10-12 pt text there. */
  readonly dpi: number;
  /** Pages larger than Letter/A4 are rendered at a lower dpi so that no image exceeds this. */
  readonly maxPixels: number;
}

export const OCR_RENDER: RenderOptions = { dpi: 300, maxPixels: 12_000_000 };

export interface PageImage {
  readonly png: Buffer;
  readonly width: number;
  readonly height: number;
  readonly dpi: number;
}

/** The dpi at which a page of `widthPt` x `heightPt` points fits the options' pixel limit. */
export function renderDpi(widthPt: number, heightPt: number, options: RenderOptions): number {
  const pixelsAt = (dpi: number) => ((widthPt * dpi) / 72) * ((heightPt * dpi) / 72);
  if (pixelsAt(options.dpi) <= options.maxPixels) return options.dpi;
  return Math.floor(options.dpi * Math.sqrt(options.maxPixels / pixelsAt(options.dpi)));
}

// pdf.js types its Node canvas factory (backed by @napi-rs/canvas) as a bare Object.
interface CanvasAndContext {
  canvas: HTMLCanvasElement;
  context: CanvasRenderingContext2D;
}
interface CanvasFactory {
  create(width: number, height: number): CanvasAndContext;
  destroy(canvasAndContext: CanvasAndContext): void;
}

/** Renders one page (1-based) on a white background as a greyscale PNG. */
export async function renderPdfPage(
  pdf: PDFDocumentProxy,
  pageNumber: number,
  options: RenderOptions = OCR_RENDER,
): Promise<PageImage> {
  const page = await pdf.getPage(pageNumber);
  try {
    return await renderPage(pdf, page, options);
  } finally {
    page.cleanup();
  }
}

async function renderPage(
  pdf: PDFDocumentProxy,
  page: PDFPageProxy,
  options: RenderOptions,
): Promise<PageImage> {
  const unscaled = page.getViewport({ scale: 1 });
  const dpi = renderDpi(unscaled.width, unscaled.height, options);
  const viewport = page.getViewport({ scale: dpi / 72 });
  const width = Math.ceil(viewport.width);
  const height = Math.ceil(viewport.height);
  const factory = pdf.canvasFactory as CanvasFactory;
  const { canvas, context } = factory.create(width, height);
  try {
    await page.render({ canvasContext: context, viewport, canvas }).promise;
    const rgba = context.getImageData(0, 0, width, height).data;
    const png = await sharp(Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength), {
      raw: { width, height, channels: 4 },
    })
      .flatten({ background: '#ffffff' })
      .toColourspace('b-w')
      .png({ compressionLevel: 1 })
      .toBuffer();
    return { png, width, height, dpi };
  } finally {
    factory.destroy({ canvas, context });
  }
}

/** How many pages an image file holds: 1 for PNG and JPEG, any number for a TIFF. */
export async function imagePageCount(bytes: Buffer): Promise<number> {
  const { pages = 1 } = await sharp(bytes).metadata();
  return pages;
}

export interface PrepareOptions {
  /** Page of a multi-page TIFF, 0-based. */
  readonly page?: number;
  /** Narrower images are upscaled to this width: tesseract misreads text of a small x-height. */
  readonly minWidth?: number;
  /** Median filter window (odd): removes specks and grain; 0 disables it. */
  readonly median?: number;
  /**
   * How much taller the page must be drawn for its pixels to be square: a fax in normal mode
   * is scanned at 204 x 98 dpi, and tesseract reads its squat letters badly. On 12 corpus pages
   * (test/bench/fax.bench.ts) such faxes read at 4.2% CER left squat and 0.8% made square, as
   * good as a 200 dpi scan of the same pages (0.7%).
   */
  readonly verticalStretch?: number;
}

/**
 * Measured on the scanned fixtures (test/integration/ocr-quality.int.test.ts and 56 more pages):
 * - upscaling a 150 dpi page to 2000 px (from 1275) took its CER from 6.7% to 2.2%; upscaling
 *   200 dpi pages further, to 2550 or 3000 px, hurt noisy ones (4.9% -> 8.1% -> 11.2%);
 * - the 3x3 median took noisy pages from 15% to 4.9% and costs clean pages almost nothing;
 *   a 5x5 one blurs small print (clean pages 0.3% -> 1.9%);
 * - no contrast stretch and no thresholding here: tesseract binarises the grey image with Otsu's
 *   threshold, which ignores contrast (faded pages read the same stretched or not), and does it
 *   better than a fixed threshold (noisy pages 4.9% -> 22%). sharp's percentile `normalise()`
 *   was harmful: with under 1% ink on a page its 1st percentile is a light grey, and stretching
 *   that to black turned the JPEG ringing around letters into blots (scanned PDFs 23-68%).
 */
const PREPARE_DEFAULTS = { page: 0, minWidth: 2000, median: 3, verticalStretch: 1 };

/** Makes an image of a page easy for tesseract: upright, grey, large enough, without specks. */
export async function prepareForOcr(image: Buffer, options: PrepareOptions = {}): Promise<Buffer> {
  const { page, minWidth, median, verticalStretch } = { ...PREPARE_DEFAULTS, ...options };
  const { autoOrient, channels } = await sharp(image, { page }).metadata();
  // sharp applies its operations in a fixed order: the median runs after the resize.
  let pipeline = sharp(image, { page }).autoOrient();
  // Transparency goes on white; flatten takes at most four channels, so a TIFF with extra
  // samples (colour plus alpha plus more, as some scanner software writes) just drops its alpha.
  pipeline = channels > 4 ? pipeline.removeAlpha() : pipeline.flatten({ background: '#ffffff' });
  pipeline = pipeline.greyscale();
  const scale = Math.max(1, minWidth / autoOrient.width);
  if (scale > 1 || verticalStretch !== 1) {
    pipeline = pipeline.resize({
      width: Math.round(autoOrient.width * scale),
      height: Math.round(autoOrient.height * scale * verticalStretch),
      fit: 'fill',
      kernel: 'lanczos3',
    });
  }
  if (median > 1) pipeline = pipeline.median(median);
  return pipeline.toColourspace('b-w').png({ compressionLevel: 1 }).toBuffer();
}
