/** How much a document may hold before validation refuses it: the guards against bombs. */
export interface ValidationLimits {
  /** Most pages one document may have: PDF pages, TIFF pages. */
  readonly maxPages: number;
  /** Longest side a PDF page may have, in inches. */
  readonly maxPageSideInches: number;
  /** Resolution a PDF page is rendered at for OCR, which decides how many pixels it becomes. */
  readonly renderDpi: number;
  /** Most pixels one page may decode to: an image page, or a PDF page rendered at `renderDpi`. */
  readonly maxPagePixels: number;
}

/**
 * A Letter page at 300 dpi is 8.4 megapixels and an A2 poster 35: 50 megapixels lets every real
 * document through and stops a page that would take gigabytes to hold in memory.
 */
export const DEFAULT_VALIDATION_LIMITS: ValidationLimits = Object.freeze({
  maxPages: 500,
  maxPageSideInches: 200,
  renderDpi: 300,
  maxPagePixels: 50_000_000,
});

export const megapixels = (pixels: number) => `${(pixels / 1_000_000).toFixed(1)} megapixels`;
