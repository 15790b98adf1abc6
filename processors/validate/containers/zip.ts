import yauzl, { type Entry, type ZipFile } from 'yauzl';
import type { ExpandContext } from './context.ts';

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/**
 * Reads a zip's entries one at a time, each streamed through the expansion's limits. Names are
 * decoded here rather than by the reader, which would give up on the whole archive at the first
 * unsafe one; such an entry is refused and the others go on. Throws when the file is no zip.
 */
export async function expandZip(
  path: string,
  depth: number,
  prefix: string,
  ctx: ExpandContext,
  compressedBytes: number,
): Promise<void> {
  const zip = await yauzl.openPromise(path, {
    lazyEntries: true,
    decodeStrings: false,
    autoClose: false,
  });
  const archive = { compressedBytes, inflatedBytes: 0 };
  try {
    for (;;) {
      let entry: Entry | null;
      try {
        entry = await nextEntry(zip);
      } catch (error) {
        ctx.reject(
          `${prefix}*`,
          'ARCHIVE_ENTRY_UNREADABLE',
          `the archive's directory is damaged: ${message(error)}`,
        );
        return;
      }
      if (!entry) return;
      const name = yauzl.getFileNameLowLevel(
        entry.generalPurposeBitFlag,
        entry.fileName as unknown as Buffer,
        entry.extraFields,
        false,
      );
      const entryPath = `${prefix}${name}`;
      if (!ctx.count(entryPath)) return;
      if (name.endsWith('/')) continue;
      const unsafe = name.includes('\0')
        ? 'a NUL character in the name'
        : yauzl.validateFileName(name);
      if (unsafe) {
        ctx.reject(
          entryPath,
          'ARCHIVE_ENTRY_PATH_UNSAFE',
          `the entry's name is unsafe (${unsafe})`,
        );
      } else if (((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK) {
        ctx.reject(entryPath, 'ARCHIVE_ENTRY_SYMLINK', 'the entry is a symbolic link');
      } else if (entry.isEncrypted()) {
        ctx.reject(entryPath, 'ARCHIVE_ENTRY_ENCRYPTED', 'the entry is encrypted');
      } else {
        const current = entry;
        await ctx.admit({
          entryPath,
          depth,
          open: () => zip.openReadStreamPromise(current),
          ratio: { entryCompressedBytes: current.compressedSize, archive },
        });
      }
    }
  } finally {
    zip.close();
  }
}

/** The zip's next entry, or null at its end: yauzl's events as one promise per entry. */
export function nextEntry(zip: ZipFile): Promise<Entry | null> {
  return new Promise((resolve, reject) => {
    const done = () => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (entry: Entry) => {
      done();
      resolve(entry);
    };
    const onEnd = () => {
      done();
      resolve(null);
    };
    const onError = (error: Error) => {
      done();
      reject(error);
    };
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
