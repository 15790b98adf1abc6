/**
 * The page directories (IFDs) of a TIFF, read from their chain of offsets without decoding a
 * pixel. Decoders follow that chain trustingly; here it is followed with every offset seen kept,
 * so a chain that points back into itself, or runs past the page limit, is caught before any
 * decoder walks it.
 */

export interface TiffPage {
  /** Horizontal and vertical resolution; equal for square pixels, 204 x 98 for a fax. */
  readonly xResolution: number | null;
  readonly yResolution: number | null;
}

export type TiffDirectories =
  | { readonly kind: 'pages'; readonly pages: TiffPage[] }
  /** The page after `page` (1-based) is one the chain has already passed. */
  | { readonly kind: 'loop'; readonly page: number }
  | { readonly kind: 'too-many'; readonly limit: number }
  | { readonly kind: 'damaged'; readonly message: string };

const TAG = { xResolution: 282, yResolution: 283 } as const;
// Bytes per value of each TIFF field type (TIFF 6.0 section 2, BigTIFF's 16-18).
const TYPE_SIZE: Record<number, number> = {
  1: 1,
  2: 1,
  3: 2,
  4: 4,
  5: 8,
  6: 1,
  7: 1,
  8: 2,
  9: 4,
  10: 8,
  11: 4,
  12: 8,
  13: 4,
  16: 8,
  17: 8,
  18: 8,
};

interface Layout {
  readonly view: DataView;
  readonly little: boolean;
  readonly big: boolean;
}

/** Walks the directory chain of a classic or BigTIFF file, up to `maxPages` directories. */
export function readTiffDirectories(bytes: Uint8Array, maxPages: number): TiffDirectories {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8) return damaged('the TIFF header is cut short');
  const order = view.getUint16(0);
  if (order !== 0x4949 && order !== 0x4d4d) return damaged('the TIFF byte order is unknown');
  const little = order === 0x4949;
  const version = view.getUint16(2, little);
  if (version !== 42 && version !== 43) return damaged('the TIFF version is unknown');
  const layout: Layout = { view, little, big: version === 43 };
  try {
    return walk(layout, offsetAt(layout, layout.big ? 8 : 4), maxPages);
  } catch (error) {
    if (error instanceof RangeError) return damaged('a TIFF directory lies outside the file');
    throw error;
  }
}

function walk(layout: Layout, first: number, maxPages: number): TiffDirectories {
  const seen = new Set<number>();
  const pages: TiffPage[] = [];
  for (let offset = first; offset !== 0; ) {
    if (seen.has(offset)) return { kind: 'loop', page: pages.length };
    if (pages.length === maxPages) return { kind: 'too-many', limit: maxPages };
    seen.add(offset);
    const { page, next } = readDirectory(layout, offset);
    pages.push(page);
    offset = next;
  }
  if (pages.length === 0) return damaged('the TIFF has no page');
  return { kind: 'pages', pages };
}

function readDirectory(layout: Layout, offset: number): { page: TiffPage; next: number } {
  const { view, little, big } = layout;
  const count = big ? Number(view.getBigUint64(offset, little)) : view.getUint16(offset, little);
  const entrySize = big ? 20 : 12;
  const entries = offset + (big ? 8 : 2);
  const fields = new Map<number, number>();
  for (let i = 0; i < count; i++) {
    const entry = entries + i * entrySize;
    const tag = view.getUint16(entry, little);
    if (tag === TAG.xResolution || tag === TAG.yResolution) {
      fields.set(tag, fieldValue(layout, entry));
    }
  }
  const next = offsetAt(layout, entries + count * entrySize);
  return {
    page: {
      xResolution: fields.get(TAG.xResolution) ?? null,
      yResolution: fields.get(TAG.yResolution) ?? null,
    },
    next,
  };
}

/** The first value of a SHORT, LONG or RATIONAL field; NaN for other types. */
function fieldValue(layout: Layout, entry: number): number {
  const { view, little, big } = layout;
  const type = view.getUint16(entry + 2, little);
  const valueField = entry + (big ? 12 : 8);
  const inline = (TYPE_SIZE[type] ?? 0) <= (big ? 8 : 4);
  const at = inline ? valueField : offsetAt(layout, valueField);
  switch (type) {
    case 3:
      return view.getUint16(at, little);
    case 4:
      return view.getUint32(at, little);
    case 5: {
      const denominator = view.getUint32(at + 4, little);
      return denominator === 0 ? Number.NaN : view.getUint32(at, little) / denominator;
    }
    default:
      return Number.NaN;
  }
}

function offsetAt(layout: Layout, at: number): number {
  const { view, little, big } = layout;
  return big ? Number(view.getBigUint64(at, little)) : view.getUint32(at, little);
}

const damaged = (message: string): TiffDirectories => ({ kind: 'damaged', message });

/**
 * How much a page must be stretched vertically for its pixels to be square: 204 / 98 for a fax
 * in normal mode, 1 when the resolutions are equal or not both known.
 */
export function verticalStretch(page: TiffPage): number {
  const { xResolution: x, yResolution: y } = page;
  if (!x || !y || !Number.isFinite(x) || !Number.isFinite(y)) return 1;
  const ratio = x / y;
  // Within 2% is a rounding of the same resolution, not a fax mode.
  return Math.abs(ratio - 1) < 0.02 ? 1 : ratio;
}
