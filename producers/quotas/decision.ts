import { DocstreamError } from '../../infra/errors.ts';

/** A tenant's limits, each null when there is none. */
export interface Quotas {
  maxStoredBytes: number | null;
  maxDocumentsPerDay: number | null;
  maxOcrPagesPerDay: number | null;
}

export type QuotaLimit = keyof Quotas;

export const NO_QUOTAS: Quotas = {
  maxStoredBytes: null,
  maxDocumentsPerDay: null,
  maxOcrPagesPerDay: null,
};

/** What the tenant used so far: today (UTC) and, for storage, over all days. */
export interface UsageSoFar {
  documentsToday: number;
  ocrPagesToday: number;
  storedBytes: number;
}

/** What a command would add: uploaded documents and the bytes they store, or pages to OCR. */
export type QuotaRequest =
  | { kind: 'upload'; documents: number; bytes: number }
  | { kind: 'reprocess'; ocrPages: number };

export type QuotaDecision =
  | { allowed: true }
  | { allowed: false; limit: QuotaLimit; max: number; used: number; requested: number };

const ALLOWED: QuotaDecision = { allowed: true };

function within(limit: QuotaLimit, max: number | null, used: number, requested: number) {
  return max === null || used + requested <= max
    ? ALLOWED
    : ({ allowed: false, limit, max, used, requested } as const);
}

/**
 * Whether a command fits the tenant's quotas, and if not, the first limit it would go over. A
 * reprocess asks for at least one page of OCR: with the day's OCR pages spent, none is started.
 */
export function decideQuota(
  quotas: Quotas,
  usage: UsageSoFar,
  request: QuotaRequest,
): QuotaDecision {
  if (request.kind === 'reprocess') {
    return within(
      'maxOcrPagesPerDay',
      quotas.maxOcrPagesPerDay,
      usage.ocrPagesToday,
      Math.max(request.ocrPages, 1),
    );
  }
  const documents = within(
    'maxDocumentsPerDay',
    quotas.maxDocumentsPerDay,
    usage.documentsToday,
    request.documents,
  );
  if (!documents.allowed) return documents;
  return within('maxStoredBytes', quotas.maxStoredBytes, usage.storedBytes, request.bytes);
}

const LIMIT_WORDS: Record<QuotaLimit, string> = {
  maxDocumentsPerDay: 'documents today',
  maxStoredBytes: 'bytes stored',
  maxOcrPagesPerDay: 'OCR pages today',
};

export const hasQuotas = (quotas: Quotas) => Object.values(quotas).some((max) => max !== null);

/** The refusal of a command over quota: 429 `QUOTA_EXCEEDED`, saying which limit. */
export function quotaExceeded(
  decision: Extract<QuotaDecision, { allowed: false }>,
): DocstreamError {
  const { limit, max, used, requested } = decision;
  return new DocstreamError(
    'too-many',
    'QUOTA_EXCEEDED',
    `over the tenant's quota ${limit} of ${max}: ${used} ${LIMIT_WORDS[limit]}, this would add ${requested}`,
  );
}
