import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { nextEntry } from './containers/zip.ts';
import type { WordBounds } from './limits.ts';
import { type Rejection, rejected } from './outcome.ts';

/**
 * A .docx is a zip, and mammoth inflates its parts whole in memory, trusting their sizes. Its
 * parts are inflated here first, into nothing, counted as they flow and cut off at the first limit
 * passed: what the directory claims is checked before anything is inflated, then checked again
 * against the bytes themselves, since a directory can lie. Null when the document is within them.
 */
export async function checkWordBounds(
  bytes: Buffer,
  bounds: WordBounds,
): Promise<Rejection | null> {
  let zip: ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(bytes, { lazyEntries: true, validateEntrySizes: true });
  } catch {
    return damaged;
  }
  const total = { inflated: 0, compressed: bytes.length };
  try {
    if (zip.entryCount > bounds.maxEntries) return tooManyParts(zip.entryCount, bounds);
    for (let count = 1; ; count++) {
      const entry = await nextEntry(zip);
      if (!entry) return null;
      if (count > bounds.maxEntries) return tooManyParts(count, bounds);
      if (entry.fileName.endsWith('/')) continue;
      const claimed = overLimits(
        entry,
        bounds,
        { ...total, inflated: total.inflated + entry.uncompressedSize },
        0,
      );
      if (claimed) return claimed;
      const refusal = await inflateCounted(zip, entry, bounds, total);
      if (refusal) return refusal;
    }
  } catch {
    return damaged;
  } finally {
    zip.close();
  }
}

/** Inflates one part into nothing; the refusal when it passes a limit on the way. */
async function inflateCounted(
  zip: ZipFile,
  entry: Entry,
  bounds: WordBounds,
  total: PackageBytes,
): Promise<Rejection | null> {
  const source = await zip.openReadStreamPromise(entry);
  let inflated = 0;
  let refusal: Rejection | null = null;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      inflated += chunk.length;
      total.inflated += chunk.length;
      refusal = overLimits(entry, bounds, total, inflated);
      done(refusal ? new Error(refusal.reason) : null);
    },
  });
  try {
    await pipeline(source, sink);
  } catch (error) {
    if (refusal) return refusal;
    throw error;
  }
  return null;
}

interface PackageBytes {
  inflated: number;
  compressed: number;
}

/** The first limit passed with the package inflated so far, `partBytes` of it this part's. */
function overLimits(
  entry: Entry,
  bounds: WordBounds,
  total: PackageBytes,
  partBytes: number,
): Rejection | null {
  if (total.inflated > bounds.maxExpandedBytes) {
    return rejected(
      'DOCX_LIMIT_EXCEEDED',
      `the Word document expands to more than ${bounds.maxExpandedBytes} bytes`,
    );
  }
  const part = Math.max(partBytes, entry.uncompressedSize);
  const tooDense = (inflated: number, compressed: number) =>
    inflated > bounds.ratioFloorBytes && inflated > bounds.maxRatio * Math.max(1, compressed);
  if (tooDense(part, entry.compressedSize) || tooDense(total.inflated, total.compressed)) {
    return rejected(
      'DOCX_LIMIT_EXCEEDED',
      `the Word document inflates more than ${bounds.maxRatio} times its compressed size`,
    );
  }
  return null;
}

const tooManyParts = (count: number, bounds: WordBounds) =>
  rejected(
    'DOCX_LIMIT_EXCEEDED',
    `the Word document has ${count} parts, more than the ${bounds.maxEntries} allowed`,
  );

const damaged = rejected('DOCX_UNREADABLE', 'the Word document cannot be read: it is damaged');
