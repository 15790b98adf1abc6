/** Bounds on what one zip or e-mail may expand to; each is checked while the bytes flow. */
export interface ArchiveLimits {
  /** How deep containers may nest: 1 allows a zip inside the uploaded one, and so on. */
  maxDepth: number;
  /** Entries read in all, nested ones included, directories too. */
  maxEntries: number;
  /** Bytes inflated in all, nested containers included. */
  maxExpandedBytes: number;
  /** Inflated bytes per compressed byte, of an entry and of the whole archive. */
  maxRatio: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxDepth: 2,
  maxEntries: 1000,
  maxExpandedBytes: 256 * 1024 * 1024,
  maxRatio: 100,
};

/**
 * Below this many inflated bytes the ratio is not checked: a small run of blanks or a short text
 * compresses far past any sensible ratio without being a threat.
 */
export const RATIO_FLOOR_BYTES = 1024 * 1024;

/** Why an entry became no document; stable codes a client can act on. */
export const ENTRY_REJECTION_REASONS = [
  'ARCHIVE_ENTRY_PATH_UNSAFE',
  'ARCHIVE_ENTRY_ENCRYPTED',
  'ARCHIVE_ENTRY_SYMLINK',
  'ARCHIVE_ENTRY_UNREADABLE',
  'ARCHIVE_LIMIT_EXCEEDED',
  'UNSUPPORTED_MEDIA_TYPE',
  'EMPTY_FILE',
  // The child would take the tenant past one of its quotas, as an upload of it would.
  'QUOTA_EXCEEDED',
] as const;
export type EntryRejectionReason = (typeof ENTRY_REJECTION_REASONS)[number];

/** A refusal met while reading an entry's bytes. */
export class EntryRefused extends Error {
  constructor(
    readonly reason: EntryRejectionReason,
    message: string,
  ) {
    super(message);
    this.name = 'EntryRefused';
  }
}
