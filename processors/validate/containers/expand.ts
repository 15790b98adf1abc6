import { Transform } from 'node:stream';
import type { StagedBlob } from '../../../infra/blobs/blob-store.ts';
import {
  CONTAINER_MEDIA_TYPES,
  detectMediaType,
  EMAIL,
  ZIP,
} from '../../../infra/blobs/media-type.ts';
import type {
  AcceptedEntry,
  ContainerStaging,
  EntrySource,
  ExpandContext,
  ExpansionUsage,
  RatioScope,
  RejectedEntry,
} from './context.ts';
import { expandEmail } from './eml.ts';
import { type ArchiveLimits, EntryRefused, RATIO_FLOOR_BYTES } from './limits.ts';
import { expandZip } from './zip.ts';

export type { AcceptedEntry, ContainerStaging, RejectedEntry } from './context.ts';

export interface Expansion {
  /** Staged, not yet stored: the caller commits them, or discards them if it gives up. */
  accepted: AcceptedEntry[];
  rejected: RejectedEntry[];
  usage: ExpansionUsage;
}

export const isContainer = (mediaType: string) => CONTAINER_MEDIA_TYPES.includes(mediaType);

/**
 * Opens a zip or an e-mail into its entries, nested containers within the depth limit. Every
 * entry's bytes are counted as they inflate and the entry is cut off the moment a limit is passed,
 * so neither memory nor staging grows past the limits whatever the archive claims about itself.
 * A refused entry leaves nothing staged. Throws when the container itself cannot be read; then
 * nothing is left staged either.
 */
export async function expandContainer(
  container: { path: string; mediaType: string; sizeBytes: number },
  staging: ContainerStaging,
  limits: ArchiveLimits,
): Promise<Expansion> {
  const accepted: AcceptedEntry[] = [];
  const rejected: RejectedEntry[] = [];
  const usage: ExpansionUsage = {
    entries: 0,
    expandedBytes: 0,
    stagedBytes: 0,
    peakStagedBytes: 0,
  };
  let stopped = false;

  const discard = async (staged: StagedBlob) => {
    await staging.discard(staged);
    usage.stagedBytes -= staged.sizeBytes;
  };

  const open = (mediaType: string, path: string, depth: number, prefix: string, size: number) =>
    mediaType === ZIP
      ? expandZip(path, depth, prefix, ctx, size)
      : expandEmail(path, depth, prefix, ctx);

  const ctx: ExpandContext = {
    limits,
    usage,
    count(entryPath) {
      if (stopped) return false;
      usage.entries += 1;
      if (usage.entries <= limits.maxEntries) return true;
      stopped = true;
      ctx.reject(
        entryPath,
        'ARCHIVE_LIMIT_EXCEEDED',
        `more than ${limits.maxEntries} entries; this one and the rest were not read`,
      );
      return false;
    },
    reject(entryPath, reason, message) {
      rejected.push({ entryPath, reason, message });
    },
    async admit(entry) {
      if (usage.expandedBytes >= limits.maxExpandedBytes) {
        ctx.reject(entry.entryPath, 'ARCHIVE_LIMIT_EXCEEDED', expandedMessage(limits));
        return;
      }
      let staged: StagedBlob;
      try {
        staged = await stageMetered(entry, staging, limits, usage);
      } catch (error) {
        if (error instanceof EntryRefused) ctx.reject(entry.entryPath, error.reason, error.message);
        else ctx.reject(entry.entryPath, 'ARCHIVE_ENTRY_UNREADABLE', unreadable(error));
        return;
      }
      const keep = await place(entry, staged);
      if (!keep) await discard(staged);
    },
  };

  /** Files a staged entry; true when it is kept as a child. */
  const place = async (entry: EntrySource, staged: StagedBlob): Promise<boolean> => {
    if (staged.sizeBytes === 0) {
      ctx.reject(entry.entryPath, 'EMPTY_FILE', 'the entry is empty');
      return false;
    }
    const mediaType = await detectMediaType(staged);
    if (mediaType && isContainer(mediaType)) {
      if (entry.depth + 1 > limits.maxDepth) {
        ctx.reject(
          entry.entryPath,
          'ARCHIVE_LIMIT_EXCEEDED',
          `containers nest more than ${limits.maxDepth} deep`,
        );
        return false;
      }
      const nested = `${entry.entryPath}/`;
      try {
        await open(mediaType, staged.path, entry.depth + 1, nested, staged.sizeBytes);
      } catch (error) {
        ctx.reject(entry.entryPath, 'ARCHIVE_ENTRY_UNREADABLE', unreadable(error));
      }
      return false;
    }
    if (!mediaType) {
      ctx.reject(
        entry.entryPath,
        'UNSUPPORTED_MEDIA_TYPE',
        'the entry is not a PDF, PNG, JPEG, TIFF, Word (.docx), plain text, zip or e-mail file',
      );
      return false;
    }
    accepted.push({ entryPath: entry.entryPath, mediaType, staged });
    return true;
  };

  try {
    await open(
      container.mediaType === EMAIL ? EMAIL : ZIP,
      container.path,
      0,
      '',
      container.sizeBytes,
    );
  } catch (error) {
    await Promise.all(accepted.map((a) => discard(a.staged)));
    throw error;
  }
  return { accepted, rejected, usage };
}

/** Streams an entry to staging through a meter that stops it at the first limit it passes. */
async function stageMetered(
  entry: EntrySource,
  staging: ContainerStaging,
  limits: ArchiveLimits,
  usage: ExpansionUsage,
): Promise<StagedBlob> {
  const source = await entry.open();
  let entryBytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      entryBytes += chunk.length;
      usage.expandedBytes += chunk.length;
      usage.stagedBytes += chunk.length;
      usage.peakStagedBytes = Math.max(usage.peakStagedBytes, usage.stagedBytes);
      if (usage.expandedBytes > limits.maxExpandedBytes) {
        return done(new EntryRefused('ARCHIVE_LIMIT_EXCEEDED', expandedMessage(limits)));
      }
      if (entry.ratio && overRatio(entry.ratio, entryBytes, chunk.length, limits.maxRatio)) {
        return done(
          new EntryRefused(
            'ARCHIVE_LIMIT_EXCEEDED',
            `the entry inflates more than ${limits.maxRatio} times its compressed size`,
          ),
        );
      }
      done(null, chunk);
    },
  });
  source.on('error', (error) => meter.destroy(error));
  // An entry cut off stops inflating; the reader wants its stream unpiped first.
  meter.on('close', () => {
    source.unpipe(meter);
    source.destroy();
  });
  try {
    return await staging.stage(source.pipe(meter), Number.MAX_SAFE_INTEGER);
  } catch (error) {
    // Staging removed what it had written of the entry.
    usage.stagedBytes -= entryBytes;
    throw error;
  }
}

function overRatio(ratio: RatioScope, entryBytes: number, chunk: number, max: number): boolean {
  ratio.archive.inflatedBytes += chunk;
  const { archive } = ratio;
  return (
    (entryBytes > RATIO_FLOOR_BYTES &&
      entryBytes > max * Math.max(1, ratio.entryCompressedBytes)) ||
    (archive.inflatedBytes > RATIO_FLOOR_BYTES &&
      archive.inflatedBytes > max * Math.max(1, archive.compressedBytes))
  );
}

const expandedMessage = (limits: ArchiveLimits) =>
  `the archive expands to more than ${limits.maxExpandedBytes} bytes`;

const unreadable = (error: unknown) =>
  `the entry could not be read (${error instanceof Error ? error.message : String(error)})`;
