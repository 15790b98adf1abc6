/** A tenant's retention policy. A null limit is none. */
export interface RetentionPolicy {
  /** Documents uploaded longer ago than this are erased. */
  documentsMaxAgeDays: number | null;
  /** Rejected uploads are erased this long after their rejection. */
  rejectedMaxAgeDays: number | null;
  /** How long a deleted document stays restorable; null: the service's default. */
  trashDelayHours: number | null;
}

export const NO_POLICY: RetentionPolicy = {
  documentsMaxAgeDays: null,
  rejectedMaxAgeDays: null,
  trashDelayHours: null,
};

/** What retention knows of a document: when it was uploaded, rejected, deleted (epoch ms). */
export interface RetainedDocument {
  tenantId: string;
  documentId: string;
  uploadedAt: number;
  /** When its current round was rejected; null unless it stands rejected. */
  rejectedAt: number | null;
  /** When it was deleted into the trash; null unless it is there. */
  trashedAt: number | null;
}

export type RetentionRule = 'trash-delay' | 'rejected-max-age' | 'documents-max-age';

/** A document a policy says to erase, and why, in words the erasure records. */
export interface DueErasure {
  tenantId: string;
  documentId: string;
  rule: RetentionRule;
  reason: string;
}

/** Whom retention's erasures name as their principal. */
export const RETENTION_PRINCIPAL = 'system:retention';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The times before which each rule applies under `policy` at `now`; null where it never does. */
export function cutoffs(
  policy: RetentionPolicy,
  now: number,
  defaultTrashDelayHours: number,
): { uploadedBefore: number | null; rejectedBefore: number | null; trashedBefore: number } {
  const { documentsMaxAgeDays: age, rejectedMaxAgeDays: rejected } = policy;
  return {
    uploadedBefore: age === null ? null : now - age * DAY_MS,
    rejectedBefore: rejected === null ? null : now - rejected * DAY_MS,
    trashedBefore: now - (policy.trashDelayHours ?? defaultTrashDelayHours) * HOUR_MS,
  };
}

/**
 * The documents the tenants' policies say to erase at `now`, at most one erasure each: the trash
 * first (someone asked for it), then a rejected upload's age, then any document's. A document
 * of a tenant absent from `policies` falls under no limit but the default trash delay.
 */
export function due(
  policies: ReadonlyMap<string, RetentionPolicy>,
  documents: readonly RetainedDocument[],
  now: number,
  defaultTrashDelayHours: number,
): DueErasure[] {
  const erasures: DueErasure[] = [];
  for (const document of documents) {
    const policy = policies.get(document.tenantId) ?? NO_POLICY;
    const rule = ruleFor(document, cutoffs(policy, now, defaultTrashDelayHours));
    if (!rule) continue;
    const { tenantId, documentId } = document;
    erasures.push({
      tenantId,
      documentId,
      rule,
      reason: reasonOf(rule, policy, defaultTrashDelayHours),
    });
  }
  return erasures;
}

function ruleFor(
  document: RetainedDocument,
  before: ReturnType<typeof cutoffs>,
): RetentionRule | null {
  if (document.trashedAt !== null && document.trashedAt <= before.trashedBefore) {
    return 'trash-delay';
  }
  if (
    document.rejectedAt !== null &&
    before.rejectedBefore !== null &&
    document.rejectedAt <= before.rejectedBefore
  ) {
    return 'rejected-max-age';
  }
  if (before.uploadedBefore !== null && document.uploadedAt <= before.uploadedBefore) {
    return 'documents-max-age';
  }
  return null;
}

function reasonOf(rule: RetentionRule, policy: RetentionPolicy, defaultTrashDelayHours: number) {
  switch (rule) {
    case 'trash-delay':
      return `retention: in the trash past its delay of ${amount(policy.trashDelayHours ?? defaultTrashDelayHours, 'hours')}`;
    case 'rejected-max-age':
      return `retention: rejected upload older than ${amount(policy.rejectedMaxAgeDays ?? 0, 'days')}`;
    case 'documents-max-age':
      return `retention: document older than ${amount(policy.documentsMaxAgeDays ?? 0, 'days')}`;
  }
}

const SECONDS = { hours: 3600, days: 86_400 } as const;

/** A limit in its own unit, or in seconds when it is less than one of them (a test's policy). */
function amount(value: number, unit: keyof typeof SECONDS): string {
  const round = (n: number) => (n >= 100 ? Math.round(n) : Number(n.toPrecision(3)));
  return value >= 1 ? `${round(value)} ${unit}` : `${round(value * SECONDS[unit])} seconds`;
}
