import type { Multipart } from '@fastify/multipart';
import type { BlobStore, StagedBlob } from '../infra/blobs/blob-store.ts';
import { invalid } from '../infra/errors.ts';

export interface StagedParts {
  fields: Record<string, string>;
  files: Array<{ fileName: string; staged: StagedBlob }>;
}

/**
 * Streams each part named `file` into the blob store's staging area and collects the form
 * fields. Refuses more than `maxFiles` files; on any error, discards what it staged.
 */
export async function stageParts(
  parts: AsyncIterable<Multipart>,
  blobs: BlobStore,
  limits: { maxBytes: number; maxFiles: number },
): Promise<StagedParts> {
  const staged: StagedParts = { fields: {}, files: [] };
  try {
    for await (const part of parts) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file' || staged.files.length >= limits.maxFiles) {
          part.file.resume();
          throw invalid(
            'UNEXPECTED_FILE',
            limits.maxFiles === 1
              ? 'send exactly one file, in the part named "file"'
              : `send at most ${limits.maxFiles} files, in parts named "file"`,
          );
        }
        const fileName = part.filename;
        staged.files.push({ fileName, staged: await blobs.stage(part.file, limits.maxBytes) });
      } else {
        staged.fields[part.fieldname] = String(part.value);
      }
    }
    return staged;
  } catch (error) {
    await discardStaged(blobs, staged);
    throw error;
  }
}

export async function discardStaged(blobs: BlobStore, { files }: StagedParts): Promise<void> {
  await Promise.all(files.map((f) => blobs.discard(f.staged)));
}

/**
 * The body's length when the client declared it, else 0: what a quota is checked against before
 * the body is read. It is the files' size and their multipart framing (a few hundred bytes).
 */
export function declaredLength(header: string | undefined): number {
  const length = Number(header);
  return Number.isSafeInteger(length) && length > 0 ? length : 0;
}
