import { describe, expect, it } from 'vitest';
import { DocstreamError } from '../../infra/errors.ts';
import { decideQuota, NO_QUOTAS, type Quotas, quotaExceeded, type UsageSoFar } from './decision.ts';

const usage = (overrides: Partial<UsageSoFar> = {}): UsageSoFar => ({
  documentsToday: 0,
  ocrPagesToday: 0,
  storedBytes: 0,
  ...overrides,
});
const quotas = (overrides: Partial<Quotas>): Quotas => ({ ...NO_QUOTAS, ...overrides });
const upload = (bytes: number, documents = 1) => ({ kind: 'upload', documents, bytes }) as const;
const reprocess = (ocrPages: number) => ({ kind: 'reprocess', ocrPages }) as const;

describe('decideQuota', () => {
  it('allows anything when the tenant has no quotas', () => {
    const used = usage({ documentsToday: 10_000, storedBytes: 1e12, ocrPagesToday: 1e6 });
    expect(decideQuota(NO_QUOTAS, used, upload(1e9))).toEqual({ allowed: true });
    expect(decideQuota(NO_QUOTAS, used, reprocess(500))).toEqual({ allowed: true });
  });

  it('allows uploads up to the documents per day, and refuses the one past it', () => {
    const limit = quotas({ maxDocumentsPerDay: 2 });
    expect(decideQuota(limit, usage({ documentsToday: 1 }), upload(10))).toEqual({
      allowed: true,
    });
    expect(decideQuota(limit, usage({ documentsToday: 2 }), upload(10))).toEqual({
      allowed: false,
      limit: 'maxDocumentsPerDay',
      max: 2,
      used: 2,
      requested: 1,
    });
    // Files of one request count together.
    expect(decideQuota(limit, usage({ documentsToday: 1 }), upload(10, 2))).toMatchObject({
      allowed: false,
      limit: 'maxDocumentsPerDay',
    });
  });

  it('allows bytes that exactly fill the storage quota, and refuses one more', () => {
    const limit = quotas({ maxStoredBytes: 1000 });
    expect(decideQuota(limit, usage({ storedBytes: 600 }), upload(400))).toEqual({
      allowed: true,
    });
    expect(decideQuota(limit, usage({ storedBytes: 600 }), upload(401))).toEqual({
      allowed: false,
      limit: 'maxStoredBytes',
      max: 1000,
      used: 600,
      requested: 401,
    });
    // A repeat of stored content adds no bytes.
    expect(decideQuota(limit, usage({ storedBytes: 1000 }), upload(0))).toEqual({
      allowed: true,
    });
  });

  it('names the documents limit first when an upload is over both', () => {
    const limit = quotas({ maxDocumentsPerDay: 0, maxStoredBytes: 0 });
    expect(decideQuota(limit, usage(), upload(5))).toMatchObject({ limit: 'maxDocumentsPerDay' });
  });

  it('does not hold uploads to the OCR quota, nor reprocessing to the upload quotas', () => {
    const spent = usage({ ocrPagesToday: 50, documentsToday: 9, storedBytes: 900 });
    expect(decideQuota(quotas({ maxOcrPagesPerDay: 50 }), spent, upload(10)).allowed).toBe(true);
    expect(
      decideQuota(quotas({ maxDocumentsPerDay: 9, maxStoredBytes: 900 }), spent, reprocess(3))
        .allowed,
    ).toBe(true);
  });

  it('allows a reprocess whose pages fit in the OCR pages left today', () => {
    const limit = quotas({ maxOcrPagesPerDay: 10 });
    expect(decideQuota(limit, usage({ ocrPagesToday: 7 }), reprocess(3))).toEqual({
      allowed: true,
    });
    expect(decideQuota(limit, usage({ ocrPagesToday: 7 }), reprocess(4))).toEqual({
      allowed: false,
      limit: 'maxOcrPagesPerDay',
      max: 10,
      used: 7,
      requested: 4,
    });
  });

  it('refuses any reprocess once the day’s OCR pages are spent, even of a text document', () => {
    const limit = quotas({ maxOcrPagesPerDay: 10 });
    expect(decideQuota(limit, usage({ ocrPagesToday: 10 }), reprocess(0))).toMatchObject({
      allowed: false,
      requested: 1,
    });
    expect(decideQuota(limit, usage({ ocrPagesToday: 9 }), reprocess(0)).allowed).toBe(true);
  });
});

describe('quotaExceeded', () => {
  it('is a 429-kind error with the stable code and the limit in its message', () => {
    const error = quotaExceeded({
      allowed: false,
      limit: 'maxDocumentsPerDay',
      max: 2,
      used: 2,
      requested: 1,
    });
    expect(error).toBeInstanceOf(DocstreamError);
    expect(error).toMatchObject({ kind: 'too-many', code: 'QUOTA_EXCEEDED' });
    expect(error.message).toContain('maxDocumentsPerDay of 2');
  });
});
