import type { Readable } from 'node:stream';
import type { StagedBlob } from '../../../infra/blobs/blob-store.ts';
import type { ArchiveLimits, EntryRejectionReason } from './limits.ts';

/** Where entries' bytes wait until the children are committed, or are thrown away. */
export interface ContainerStaging {
  stage(source: Readable, maxBytes: number): Promise<StagedBlob>;
  discard(staged: StagedBlob): Promise<void>;
}

export interface AcceptedEntry {
  entryPath: string;
  mediaType: string;
  staged: StagedBlob;
}

export interface RejectedEntry {
  entryPath: string;
  reason: EntryRejectionReason;
  message: string;
}

/** Compressed bytes against what they inflated to, for one entry and for its whole archive. */
export interface RatioScope {
  entryCompressedBytes: number;
  archive: { compressedBytes: number; inflatedBytes: number };
}

export interface EntrySource {
  entryPath: string;
  /** How deep the container holding the entry is: 0 for the uploaded one. */
  depth: number;
  open(): Promise<Readable>;
  /** Set for compressed entries, whose ratio is bounded. */
  ratio?: RatioScope;
}

/** What one expansion has used so far, across nested containers. */
export interface ExpansionUsage {
  entries: number;
  expandedBytes: number;
  stagedBytes: number;
  peakStagedBytes: number;
}

export interface ExpandContext {
  readonly limits: ArchiveLimits;
  readonly usage: ExpansionUsage;
  /** Counts an entry; false once the entry limit is passed, when nothing more is read. */
  count(entryPath: string): boolean;
  reject(entryPath: string, reason: EntryRejectionReason, message: string): void;
  /** Stages an entry within the limits and files it: a child, a rejection, or a container opened in turn. */
  admit(entry: EntrySource): Promise<void>;
}
