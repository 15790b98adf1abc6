import type { PageInfo } from '../../schemas/events.ts';
import type { ValidationLimits } from './limits.ts';

/** Why a document was rejected: stable codes a client can act on, carried by DocumentRejected. */
export const REJECTION_REASONS = [
  'UNSUPPORTED_MEDIA_TYPE',
  'PDF_UNREADABLE',
  'PDF_TOO_DEEP',
  'PDF_ENCRYPTED',
  'PDF_EMPTY',
  'TOO_MANY_PAGES',
  'PAGE_TOO_LARGE',
  'IMAGE_UNREADABLE',
  'IMAGE_TOO_LARGE',
  'TIFF_PAGE_LOOP',
  'TEXT_NOT_UTF8',
  'TEXT_EMPTY',
  'DOCX_UNREADABLE',
  'DOCX_LIMIT_EXCEEDED',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

export interface Rejection {
  readonly ok: false;
  readonly reason: RejectionReason;
  readonly message: string;
}

/** What the checks of one media type concluded about a document's bytes. */
export type Validation = { readonly ok: true; readonly pages: PageInfo[] } | Rejection;

export const accepted = (pages: PageInfo[]): Validation => ({ ok: true, pages });

export const rejected = (reason: RejectionReason, message: string): Rejection => ({
  ok: false,
  reason,
  message,
});

export const tooManyPages = (count: number, limits: ValidationLimits) =>
  rejected('TOO_MANY_PAGES', `${count} pages, more than the ${limits.maxPages} allowed`);
