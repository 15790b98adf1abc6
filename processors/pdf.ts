import { createRequire } from 'node:module';
import path from 'node:path';
import type { PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';

// pdf.js's legacy build (the one that runs on Node 20) and its worker module carry core-js
// polyfills that replace JSON.parse, JSON.stringify and Array.prototype.push for the whole process
// with JavaScript versions several times slower, for features no code here uses (JSON source text
// access, `push` past 2^32 elements). Every response, query row and Kafka request paid for them.
// Both modules are loaded here, the worker's handler is given to pdf.js to run in this thread (else
// it imports the module, polyfills and all, on the first open), and the built-ins are put back.
// What the polyfills only add (Promise.withResolvers, Uint8Array.prototype.toHex, …) stays.
const builtIns = [
  [JSON, 'parse'],
  [JSON, 'stringify'],
  [Array.prototype, 'push'],
  [Function.prototype, 'toString'],
] as const;
const nativeDescriptors = builtIns.map(([owner, key]) =>
  Object.getOwnPropertyDescriptor(owner, key),
);
const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
(globalThis as { pdfjsWorker?: unknown }).pdfjsWorker = await import(
  'pdfjs-dist/legacy/build/pdf.worker.mjs'
);
builtIns.forEach(([owner, key], i) => {
  const descriptor = nativeDescriptors[i];
  if (descriptor) Object.defineProperty(owner, key, descriptor);
});

const pdfjsRoot = path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
// On Node, pdf.js reads these with fs.readFile: plain paths, not file:// URLs.
const asset = (dir: string) => `${path.join(pdfjsRoot, dir)}/`;

/**
 * Opens PDF bytes with pdf.js the way every processor does: fonts and character maps from the
 * installed package (never fetched), no eval, no font loading into the process.
 *
 * `glyphs: false` is for reading text alone: pdf.js then does not load and parse the program of
 * each standard font a document uses (its text and widths come from the encoding and the font
 * metrics pdf.js carries), about two thirds of the time of reading a short text layer. Rendering
 * needs the glyphs.
 */
export async function openPdf(
  bytes: Uint8Array,
  options: { glyphs?: boolean } = {},
): Promise<PDFDocumentProxy> {
  return getDocument({
    // pdf.js takes ownership of the array it is given (transfers it): hand it a copy.
    data: new Uint8Array(bytes),
    ...(options.glyphs === false ? {} : { standardFontDataUrl: asset('standard_fonts') }),
    cMapUrl: asset('cmaps'),
    cMapPacked: true,
    wasmUrl: asset('wasm'),
    iccUrl: asset('iccs'),
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    verbosity: 0,
  }).promise;
}

export type { PDFDocumentProxy };
