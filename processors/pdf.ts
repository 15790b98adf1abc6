import { createRequire } from 'node:module';
import path from 'node:path';
import { getDocument, type PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';

const pdfjsRoot = path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
// On Node, pdf.js reads these with fs.readFile: plain paths, not file:// URLs.
const asset = (dir: string) => `${path.join(pdfjsRoot, dir)}/`;

/**
 * Opens PDF bytes with pdf.js the way every processor does: fonts and character maps from the
 * installed package (never fetched), no eval, no font loading into the process.
 */
export async function openPdf(bytes: Uint8Array): Promise<PDFDocumentProxy> {
  return getDocument({
    // pdf.js takes ownership of the array it is given (transfers it): hand it a copy.
    data: new Uint8Array(bytes),
    standardFontDataUrl: asset('standard_fonts'),
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
