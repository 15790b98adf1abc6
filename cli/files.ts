import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';

/** A file named on the command line or found in a folder named there. */
export interface LocalFile {
  path: string;
  /** How the summary names it: its path relative to the folder it was found in. */
  label: string;
  /** The plain name the API records (it refuses paths). */
  fileName: string;
}

export interface FileBytes {
  bytes: Buffer;
  sha256: string;
}

/** A local failure, reported like the API's errors: a stable code and a message. */
export class LocalFileError extends Error {
  readonly code = 'READ_FAILED';
}

/**
 * Every file under `inputs` (folders walked recursively, hidden entries skipped), minus those
 * matching an `exclude` glob (matched against the label). Symlinks and other entries that are
 * not folders are kept: whether they can be read is decided when they are read, so they show up
 * as failed rather than vanish.
 */
export async function collectFiles(
  inputs: readonly string[],
  exclude: readonly string[] = [],
): Promise<LocalFile[]> {
  const excluded = exclude.length > 0 ? picomatch([...exclude], { dot: true }) : () => false;
  const files: LocalFile[] = [];
  for (const input of inputs) {
    const absolute = path.resolve(input);
    const info = await stat(absolute).catch(() => null);
    if (!info?.isDirectory()) {
      files.push({ path: absolute, label: input, fileName: path.basename(absolute) });
      continue;
    }
    const entries = await readdir(absolute, { recursive: true, withFileTypes: true });
    for (const entry of entries) {
      const full = path.join(entry.parentPath, entry.name);
      const label = path.relative(absolute, full);
      if (entry.isDirectory() || label.split(path.sep).some((part) => part.startsWith('.'))) {
        continue;
      }
      if (excluded(label)) continue;
      files.push({ path: full, label, fileName: entry.name });
    }
  }
  return files.sort((a, b) => a.label.localeCompare(b.label));
}

/**
 * The bytes of a regular file and their SHA-256. Anything else (a broken symlink, a FIFO, a
 * socket, a folder, a file without read permission) fails with READ_FAILED, without blocking.
 */
export async function readLocalFile(file: LocalFile): Promise<FileBytes> {
  try {
    const info = await stat(file.path);
    if (!info.isFile()) throw new Error('not a regular file');
    const bytes = await readFile(file.path);
    return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
  } catch (error) {
    throw new LocalFileError(`cannot read ${file.label}: ${(error as Error).message}`);
  }
}
