import { describe, expect, it } from 'vitest';
import {
  deeplyNestedPdf,
  encryptedPdf,
  garbagePdf,
  pdfWithoutPages,
  pdfWithPages,
  rotatedPdf,
  truncatedPdf,
} from '../../test/fixtures/pdfs.ts';
import { validating } from '../../test/support/validating.ts';
import { openPdf } from '../pdf.ts';

const PDF = 'application/pdf';
const rejectedFor = (reason: string) => [
  { type: 'DocumentRejected' as const, data: { round: 1, reason } },
];

describe('validate: PDF', () => {
  it('accepts a PDF with its page count and page sizes in points', async () => {
    const { spec, upload } = validating();
    const bytes = await pdfWithPages([
      [612, 792],
      [595.28, 841.89],
      [300, 400],
    ]);
    await spec.when(upload(bytes, PDF)).thenMatches([
      {
        type: 'DocumentValidated',
        data: {
          round: 1,
          mediaType: PDF,
          pageCount: 3,
          pages: [
            { page: 1, width: 612, height: 792 },
            { page: 2, width: 595, height: 842 },
            { page: 3, width: 300, height: 400 },
          ],
        },
      },
    ]);
  });

  it('gives the size of a rotated page as it is displayed', async () => {
    const { spec, upload } = validating();
    await spec
      .when(upload(await rotatedPdf(612, 792), PDF))
      .thenMatches([
        { type: 'DocumentValidated', data: { pages: [{ page: 1, width: 792, height: 612 }] } },
      ]);
  });

  it('rejects bytes that start like a PDF but are junk', async () => {
    const { spec, upload } = validating();
    const [rejection] = await spec
      .when(upload(garbagePdf(), PDF))
      .thenMatches(rejectedFor('PDF_UNREADABLE'));
    expect(rejection?.data).toMatchObject({
      message: 'the PDF cannot be read: its structure is damaged',
    });
  });

  it("rejects a PDF nested too deep to parse, in its own words, not the parser's", async () => {
    const { spec, upload } = validating();
    const [rejection] = await spec
      .when(upload(deeplyNestedPdf(100_000), PDF))
      .thenMatches(rejectedFor('PDF_TOO_DEEP'));
    expect(rejection?.data).toMatchObject({
      message: 'the PDF nests its objects too deeply to be read safely',
    });
  });

  it('rejects a truncated PDF', async () => {
    const { spec, upload } = validating();
    await spec.when(upload(await truncatedPdf(), PDF)).thenMatches(rejectedFor('PDF_UNREADABLE'));
  });

  it('rejects a PDF that needs a password to open', async () => {
    const bytes = encryptedPdf('secret');
    await expect(openPdf(bytes)).rejects.toMatchObject({ name: 'PasswordException' });
    const { spec, upload } = validating();
    await spec.when(upload(bytes, PDF)).thenMatches(rejectedFor('PDF_ENCRYPTED'));
  });

  it('accepts a PDF encrypted with an empty user password, which opens without one', async () => {
    const bytes = encryptedPdf('empty');
    const pdf = await openPdf(bytes);
    expect(await pdf.getPermissions()).not.toBeNull(); // it really is encrypted
    await pdf.destroy();
    const { spec, upload } = validating();
    await spec
      .when(upload(bytes, PDF))
      .thenMatches([{ type: 'DocumentValidated', data: { pageCount: 1 } }]);
  });

  it('rejects a PDF without pages', async () => {
    const { spec, upload } = validating();
    await spec.when(upload(await pdfWithoutPages(), PDF)).thenMatches(rejectedFor('PDF_EMPTY'));
  });

  it('rejects a PDF with more pages than the limit, and accepts one at it', async () => {
    const { spec, upload } = validating({ maxPages: 2 });
    const page: [number, number] = [612, 792];
    await spec
      .when(upload(await pdfWithPages([page, page, page]), PDF))
      .thenMatches(rejectedFor('TOO_MANY_PAGES'));
    await spec
      .when(upload(await pdfWithPages([page, page]), PDF))
      .thenMatches([{ type: 'DocumentValidated', data: { pageCount: 2 } }]);
  });

  it('rejects a page of absurd size: 300 inches a side', async () => {
    const { spec, upload } = validating();
    const bytes = await pdfWithPages([
      [612, 792],
      [300 * 72, 300 * 72],
    ]);
    const [rejection] = await spec
      .when(upload(bytes, PDF))
      .thenMatches(rejectedFor('PAGE_TOO_LARGE'));
    expect(rejection?.data).toMatchObject({
      message: expect.stringMatching(/^page 2 .*300 inches/),
    });
  });

  it('rejects a page that would render past the pixel limit at the OCR resolution', async () => {
    const { spec, upload } = validating();
    // 40 x 40 inches: a plausible side, but 12000 x 12000 pixels at 300 dpi.
    const [rejection] = await spec
      .when(upload(await pdfWithPages([[40 * 72, 40 * 72]]), PDF))
      .thenMatches(rejectedFor('PAGE_TOO_LARGE'));
    expect(rejection?.data).toMatchObject({ message: expect.stringMatching(/144\.0 megapixels/) });
  });
});
