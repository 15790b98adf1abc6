import type { PageInfo } from '../../schemas/events.ts';
import { openPdf, type PDFDocumentProxy } from '../pdf.ts';
import { megapixels, type ValidationLimits } from './limits.ts';
import { accepted, type Rejection, rejected, tooManyPages, type Validation } from './outcome.ts';

const POINTS_PER_INCH = 72;

/**
 * A PDF is accepted when pdf.js opens it without a password, it has pages, not too many, and
 * none too large to render. Page sizes are in points, as displayed (rotation and UserUnit
 * applied), rounded to whole points.
 *
 * A PDF encrypted with an empty user password is accepted: it opens without one, as in every
 * reader, and pdf.js decrypts it for the rest of the chain too. What its owner password guards
 * is permissions (printing, copying), not secrecy, and the bytes are the tenant's own document.
 */
export async function checkPdf(bytes: Uint8Array, limits: ValidationLimits): Promise<Validation> {
  let pdf: PDFDocumentProxy;
  try {
    pdf = await openPdf(bytes);
  } catch (error) {
    return rejectionFor(error);
  }
  try {
    return await checkPages(pdf, limits);
  } catch (error) {
    return rejectionFor(error);
  } finally {
    await pdf.destroy();
  }
}

async function checkPages(pdf: PDFDocumentProxy, limits: ValidationLimits): Promise<Validation> {
  if (pdf.numPages === 0) return rejected('PDF_EMPTY', 'the PDF has no pages');
  if (pdf.numPages > limits.maxPages) return tooManyPages(pdf.numPages, limits);
  const pages: PageInfo[] = [];
  for (let number = 1; number <= pdf.numPages; number++) {
    const page = await pdf.getPage(number);
    const { width, height } = page.getViewport({ scale: 1 });
    page.cleanup();
    const tooLarge = pageTooLarge(number, width, height, limits);
    if (tooLarge) return tooLarge;
    pages.push({ page: number, width: Math.round(width), height: Math.round(height) });
  }
  return accepted(pages);
}

function pageTooLarge(
  number: number,
  width: number,
  height: number,
  limits: ValidationLimits,
): Rejection | null {
  const longestInches = Math.max(width, height) / POINTS_PER_INCH;
  if (longestInches > limits.maxPageSideInches) {
    const size = `${Math.round(longestInches)} inches`;
    return rejected(
      'PAGE_TOO_LARGE',
      `page ${number} is ${size} on its longest side, more than ${limits.maxPageSideInches}`,
    );
  }
  const toPixels = (points: number) => Math.ceil((points / POINTS_PER_INCH) * limits.renderDpi);
  const pixels = toPixels(width) * toPixels(height);
  if (pixels <= limits.maxPagePixels) return null;
  return rejected(
    'PAGE_TOO_LARGE',
    `page ${number} would render to ${megapixels(pixels)} at ${limits.renderDpi} dpi, ` +
      `more than ${megapixels(limits.maxPagePixels)}`,
  );
}

// What pdf.js says about the file itself reaches us as one of these (its worker wraps every
// other failure in UnknownErrorException). Anything else, such as the library failing to load,
// is not the document's fault: it propagates and the runtime retries. The parser's own message
// names its internals, never what a client can act on: the rejection says it in our words.
const FILE_FAILURES = new Set(['InvalidPDFException', 'UnknownErrorException']);

function rejectionFor(error: unknown): Rejection {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'PasswordException') {
    return rejected('PDF_ENCRYPTED', 'the PDF is encrypted and needs a password to open');
  }
  if (typeof name === 'string' && FILE_FAILURES.has(name)) {
    // Objects nested thousands deep exhaust the parser's stack; no real document has them.
    if (/call stack/i.test((error as Error).message)) {
      return rejected('PDF_TOO_DEEP', 'the PDF nests its objects too deeply to be read safely');
    }
    return rejected('PDF_UNREADABLE', 'the PDF cannot be read: its structure is damaged');
  }
  throw error;
}
