import { distance } from 'fastest-levenshtein';
import { PDFDocument } from 'pdf-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { isRetriable } from '../../infra/errors.ts';
import type { DocumentTypeHint, TextExtracted } from '../../schemas/events.ts';
import { textPdf } from '../../test/fixtures/files.ts';
import { rasterise } from '../../test/fixtures/scan-effects.ts';
import { characterErrorRate, renderVariant, SAMPLE_DOCUMENTS } from '../../test/fixtures/scans.ts';
import { faxTiff } from '../../test/fixtures/tiffs.ts';
import { docx } from '../../test/fixtures/words.ts';
import { documentEvent } from '../../test/support/events.ts';
import { memoryBlobs } from '../../test/support/memory-blobs.ts';
import { processorSpec } from '../../test/support/processor-spec.ts';
import { WORD_MEDIA_TYPE } from '../word.ts';
import { createOcrPool, type OcrEngine } from './ocr-pool.ts';
import { createExtractTextProcessor } from './processor.ts';

const TENANT = 'tenant-a';

/** For documents that must never reach OCR. */
const noOcr: OcrEngine = {
  recognize: () => Promise.reject(new Error('this document should not need OCR')),
  stats: () => ({ workers: 1, pagesDone: 0, recycled: 0 }),
  terminate: async () => {},
};

const hint: DocumentTypeHint = { documentType: 'lab-result', source: 'file-name' };

function validated(blobRef: string, mediaType: string, round = 1) {
  return documentEvent(
    'DocumentValidated',
    { round, mediaType, blobRef, pageCount: 1, pages: [], hint },
    { tenantId: TENANT },
  );
}

const ENGLISH = [
  'Discharge summary for the patient admitted with community acquired pneumonia.',
  'The patient improved on intravenous antibiotics and was discharged home.',
];
const SPANISH = [
  'Informe de alta: la paciente ingresó por dolor torácico y disnea de esfuerzo.',
  'Se recomienda control de la tensión arterial y revisión en consultas externas.',
];

describe('extract-text without OCR', () => {
  it('reads a PDF text layer line by line, in English', async () => {
    const blobs = memoryBlobs();
    const ref = blobs.add(TENANT, await textPdf(ENGLISH));
    const processor = createExtractTextProcessor({ blobs, ocr: noOcr });
    const [draft] = await processorSpec(processor)
      .when(validated(ref, 'application/pdf', 2))
      .thenMatches([{ type: 'TextExtracted' }]);
    const text = ENGLISH.join('\n');
    expect(draft!.data).toEqual({
      round: 2,
      method: 'text-layer',
      language: 'eng',
      confidence: 1,
      charCount: text.length,
      pages: [{ page: 1, method: 'text-layer', confidence: 1, charCount: text.length, text }],
      textRef: null,
      hint,
    });
  });

  it('takes plain text as it is, and detects Spanish', async () => {
    const blobs = memoryBlobs();
    const ref = blobs.add(TENANT, Buffer.from(`\uFEFF${SPANISH.join('\r\n')}\r\n`, 'utf8'));
    const processor = createExtractTextProcessor({ blobs, ocr: noOcr });
    await processorSpec(processor)
      .when(validated(ref, 'text/plain'))
      .thenMatches([
        {
          type: 'TextExtracted',
          data: {
            method: 'plain-text',
            language: 'spa',
            confidence: 1,
            pages: [{ page: 1, method: 'plain-text', text: SPANISH.join('\n') }],
          },
        },
      ]);
  });

  it('reads plain text that is not UTF-8 as Windows-1252', async () => {
    const blobs = memoryBlobs();
    const ref = blobs.add(TENANT, Buffer.from(SPANISH.join('\n'), 'latin1'));
    const processor = createExtractTextProcessor({ blobs, ocr: noOcr });
    const [draft] = await processorSpec(processor)
      .when(validated(ref, 'text/plain'))
      .thenMatches([{ type: 'TextExtracted' }]);
    expect(draft!.data).toMatchObject({ pages: [{ text: SPANISH.join('\n') }] });
  });

  it('keeps text up to the threshold inline and stores larger text by reference', async () => {
    const blobs = memoryBlobs();
    const text = 'Tratamiento: ibuprofeno 400 mg cada ocho horas.';
    const ref = blobs.add(TENANT, Buffer.from(text, 'utf8'));
    const size = Buffer.byteLength(text, 'utf8');
    const atLimit = createExtractTextProcessor({ blobs, ocr: noOcr, inlineMaxBytes: size });
    await processorSpec(atLimit)
      .when(validated(ref, 'text/plain'))
      .thenMatches([{ type: 'TextExtracted', data: { textRef: null, pages: [{ text }] } }]);

    const overLimit = createExtractTextProcessor({ blobs, ocr: noOcr, inlineMaxBytes: size - 1 });
    const [draft] = await processorSpec(overLimit)
      .when(validated(ref, 'text/plain'))
      .thenMatches([{ type: 'TextExtracted', data: { pages: [{ text: null }] } }]);
    const { textRef, charCount } = draft!.data as TextExtracted['data'];
    expect(charCount).toBe(text.length);
    const stored = JSON.parse((await blobs.read(TENANT, textRef!)).toString('utf8'));
    expect(stored).toEqual({ pages: [{ page: 1, text }] });
  });

  it('reads the text of a Word document as its text layer', async () => {
    const blobs = memoryBlobs();
    const ref = blobs.add(TENANT, await docx(SPANISH));
    const processor = createExtractTextProcessor({ blobs, ocr: noOcr });
    await processorSpec(processor)
      .when(validated(ref, WORD_MEDIA_TYPE))
      .thenMatches([
        {
          type: 'TextExtracted',
          data: {
            method: 'text-layer',
            language: 'spa',
            pages: [{ page: 1, method: 'text-layer', text: SPANISH.join('\n\n') }],
          },
        },
      ]);
  });

  it('refuses a PDF that cannot be parsed, permanently', async () => {
    const blobs = memoryBlobs();
    const ref = blobs.add(
      TENANT,
      Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(512, 'junk ')]),
    );
    const processor = createExtractTextProcessor({ blobs, ocr: noOcr });
    await processorSpec(processor)
      .when(validated(ref, 'application/pdf'))
      .thenThrows((error) => !isRetriable(error) && /PDF cannot be opened/.test(String(error)));
  });

  it('lets an OCR failure through as it is, for the runtime to retry', async () => {
    const blobs = memoryBlobs();
    const scan = await renderVariant(SAMPLE_DOCUMENTS[0]!, 'png', 1);
    const ref = blobs.add(TENANT, scan.bytes);
    const failure = new Error('OCR pool unavailable');
    const failing: OcrEngine = { ...noOcr, recognize: () => Promise.reject(failure) };
    const processor = createExtractTextProcessor({ blobs, ocr: failing });
    const thrown = await processorSpec(processor)
      .when(validated(ref, scan.mediaType))
      .thenThrows(/OCR pool unavailable/);
    expect(thrown).toBe(failure);
    expect(isRetriable(thrown)).toBe(true);
  });
});

describe('extract-text with OCR', () => {
  const ocr = createOcrPool({ workers: 1, languages: 'eng+spa', recycleAfterPages: 50 });
  afterAll(() => ocr.terminate());
  const [english, spanish] = [
    SAMPLE_DOCUMENTS.find((doc) => doc.language === 'eng')!,
    SAMPLE_DOCUMENTS.find((doc) => doc.language === 'spa')!,
  ];

  it('reads a scanned Spanish page close to what was printed', async () => {
    const blobs = memoryBlobs();
    const scan = await renderVariant(spanish, 'png', 1);
    const processor = createExtractTextProcessor({ blobs, ocr });
    const [draft] = await processorSpec(processor)
      .when(validated(blobs.add(TENANT, scan.bytes), scan.mediaType))
      .thenMatches([{ type: 'TextExtracted', data: { method: 'ocr', language: 'spa' } }]);
    const data = draft!.data as TextExtracted['data'];
    expect(data.confidence).toBeGreaterThan(0.8);
    const cer = characterErrorRate(data.pages[0]!.text!, scan.groundTruth.text, distance);
    expect(cer).toBeLessThan(0.03);
  });

  it('reads a fax page by page, its squat pixels made square, close to what was printed', async () => {
    const blobs = memoryBlobs();
    const pages = await rasterise(await textPdf(ENGLISH), 204);
    const processor = createExtractTextProcessor({ blobs, ocr });
    const [draft] = await processorSpec(processor)
      .when(validated(blobs.add(TENANT, await faxTiff(pages)), 'image/tiff'))
      .thenMatches([{ type: 'TextExtracted', data: { method: 'ocr', language: 'eng' } }]);
    const data = draft!.data as TextExtracted['data'];
    expect(characterErrorRate(data.pages[0]!.text!, ENGLISH.join('\n'), distance)).toBeLessThan(
      0.05,
    );
  });

  it('reads the pictures of a Word document by OCR after its text', async () => {
    const blobs = memoryBlobs();
    const scan = await renderVariant(english, 'png', 1);
    const ref = blobs.add(TENANT, await docx(ENGLISH, [scan.bytes]));
    const processor = createExtractTextProcessor({ blobs, ocr });
    const [draft] = await processorSpec(processor)
      .when(validated(ref, WORD_MEDIA_TYPE))
      .thenMatches([{ type: 'TextExtracted', data: { method: 'mixed' } }]);
    const data = draft!.data as TextExtracted['data'];
    expect(data.pages.map((page) => [page.page, page.method])).toEqual([
      [1, 'text-layer'],
      [2, 'ocr'],
    ]);
    const cer = characterErrorRate(data.pages[1]!.text!, scan.groundTruth.text, distance);
    expect(cer).toBeLessThan(0.03);
  });

  it('calls a PDF with a text page and a scanned page mixed', async () => {
    const blobs = memoryBlobs();
    const scan = await renderVariant(english, 'scan-pdf', 1);
    const ref = blobs.add(TENANT, await concatenatePdfs([await textPdf(ENGLISH), scan.bytes]));
    const processor = createExtractTextProcessor({ blobs, ocr });
    const [draft] = await processorSpec(processor)
      .when(validated(ref, 'application/pdf'))
      .thenMatches([{ type: 'TextExtracted', data: { method: 'mixed', language: 'eng' } }]);
    const data = draft!.data as TextExtracted['data'];
    expect(data.pages.map((page) => [page.page, page.method])).toEqual([
      [1, 'text-layer'],
      [2, 'ocr'],
    ]);
    expect(data.confidence).toBeLessThan(1);
    const cer = characterErrorRate(data.pages[1]!.text!, scan.groundTruth.text, distance);
    expect(cer).toBeLessThan(0.03);
  });
});

async function concatenatePdfs(parts: Buffer[]): Promise<Buffer> {
  const merged = await PDFDocument.create();
  for (const part of parts) {
    const source = await PDFDocument.load(part);
    const pages = await merged.copyPages(source, source.getPageIndices());
    for (const page of pages) merged.addPage(page);
  }
  return Buffer.from(await merged.save());
}
