import { decideQuota, hasQuotas, type Quotas, quotaExceeded, type UsageSoFar } from './decision.ts';

/** Where the guard reads what it checks; the usage figures come from the usage read model. */
export interface QuotaGuardDeps {
  quotasOf: (tenantId: string) => Promise<Quotas>;
  /** The tenant's usage on `day` (UTC, `YYYY-MM-DD`), and what it stores over all days. */
  usageOf: (tenantId: string, day: string) => Promise<UsageSoFar>;
  /** The document's pages in its latest validated round, and those OCR read in its latest one. */
  documentPagesOf: (
    tenantId: string,
    documentId: string,
  ) => Promise<{ pages: number | null; ocrPages: number | null }>;
  now: () => number;
}

/** Adds documents, and the bytes they newly store, to the tenant's usage. */
export type CheckUploadQuota = (
  tenantId: string,
  upload: { documents: number; bytes: number },
) => Promise<void>;

/** Starts the OCR of a document's pages again, and of the other documents named with it. */
export type CheckReprocessQuota = (
  tenantId: string,
  documentId: string,
  alsoDocumentIds?: readonly string[],
) => Promise<void>;

/**
 * Each throws 429 `QUOTA_EXCEEDED` when what it is asked for would go over one of the tenant's
 * quotas. Usage is read from its read model, which trails the log by the projection's lag: uploads
 * racing each other may together go over a limit by those still being folded.
 */
export interface QuotaGuard {
  checkUpload: CheckUploadQuota;
  checkReprocess: CheckReprocessQuota;
}

export function createQuotaGuard(deps: QuotaGuardDeps): QuotaGuard {
  const today = () => new Date(deps.now()).toISOString().slice(0, 10);
  return {
    async checkUpload(tenantId, upload) {
      const quotas = await deps.quotasOf(tenantId);
      if (!hasQuotas(quotas)) return;
      const usage = await deps.usageOf(tenantId, today());
      const decision = decideQuota(quotas, usage, { kind: 'upload', ...upload });
      if (!decision.allowed) throw quotaExceeded(decision);
    },
    async checkReprocess(tenantId, documentId, alsoDocumentIds = []) {
      const quotas = await deps.quotasOf(tenantId);
      if (quotas.maxOcrPagesPerDay === null) return;
      const [usage, ...documents] = await Promise.all([
        deps.usageOf(tenantId, today()),
        ...[documentId, ...alsoDocumentIds].map((id) => deps.documentPagesOf(tenantId, id)),
      ]);
      // As many pages as OCR read last time; before any reading, every page may need it.
      const ocrPages = documents.reduce(
        (sum, document) => sum + (document.ocrPages ?? document.pages ?? 0),
        0,
      );
      const decision = decideQuota(quotas, usage, { kind: 'reprocess', ocrPages });
      if (!decision.allowed) throw quotaExceeded(decision);
    },
  };
}
