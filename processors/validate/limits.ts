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
  /** Bounds on a Word document's zip, checked before it is parsed. */
  readonly word: WordBounds;
}

/** How far a Word document's zip may inflate before mammoth is let near it. */
export interface WordBounds {
  /** Parts in the package, directories included. */
  readonly maxEntries: number;
  /** Bytes all its parts inflate to: mammoth holds the XML, and a DOM of it, in memory. */
  readonly maxExpandedBytes: number;
  /** Inflated bytes per compressed byte, of one part and of the whole package. */
  readonly maxRatio: number;
  /** Below this many inflated bytes a ratio is not held against a part or the package. */
  readonly ratioFloorBytes: number;
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
  // A long report with scans pasted in is a few hundred parts and tens of megabytes at most.
  word: Object.freeze({
    maxEntries: 1000,
    maxExpandedBytes: 64 * 1024 * 1024,
    maxRatio: 100,
    ratioFloorBytes: 1024 * 1024,
  }),
});

export const megapixels = (pixels: number) => `${(pixels / 1_000_000).toFixed(1)} megapixels`;
