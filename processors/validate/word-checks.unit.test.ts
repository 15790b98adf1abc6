import { describe, expect, it } from 'vitest';
import { image } from '../../test/fixtures/images.ts';
import { claimSize, docx, docxWith } from '../../test/fixtures/words.ts';
import { validating } from '../../test/support/validating.ts';
import { WORD_MEDIA_TYPE } from '../word.ts';
import type { ValidationLimits } from './limits.ts';

const rejectedFor = (reason: string) => [
  { type: 'DocumentRejected' as const, data: { round: 1, reason } },
];

describe('validate: Word documents', () => {
  it('accepts a .docx: its text is page 1, each picture a page sized in pixels', async () => {
    const { spec, upload } = validating();
    const word = await docx(
      ['Informe de alta', 'Paciente: María Pérez'],
      [await image('png', 40, 30)],
    );
    await spec.when(upload(word, WORD_MEDIA_TYPE)).thenMatches([
      {
        type: 'DocumentValidated',
        data: {
          mediaType: WORD_MEDIA_TYPE,
          pageCount: 2,
          pages: [
            { page: 1, width: 0, height: 0 },
            { page: 2, width: 40, height: 30 },
          ],
        },
      },
    ]);
  });

  it('rejects a damaged .docx, and one with nothing to read', async () => {
    const { spec, upload } = validating();
    const word = await docx(['Informe de alta']);
    const [rejection] = await spec
      .when(upload(word.subarray(0, word.length - 40), WORD_MEDIA_TYPE))
      .thenMatches(rejectedFor('DOCX_UNREADABLE'));
    expect(rejection?.data).toMatchObject({
      message: 'the Word document cannot be read: it is damaged',
    });
    await spec
      .when(upload(await docx([' ']), WORD_MEDIA_TYPE))
      .thenMatches(rejectedFor('TEXT_EMPTY'));
  });

  it('applies the pixel limit to the pictures in it', async () => {
    const { spec, upload } = validating({ maxPagePixels: 600 });
    const word = await docx(['Radiografía'], [await image('png', 40, 30)]);
    await spec.when(upload(word, WORD_MEDIA_TYPE)).thenMatches(rejectedFor('IMAGE_TOO_LARGE'));
  });
});

describe('validate: a Word document is a zip, inflated within bounds before it is parsed', () => {
  const bounds = (changes: Partial<ValidationLimits['word']>) => ({
    word: {
      maxEntries: 1000,
      maxExpandedBytes: 64 * 1024 * 1024,
      maxRatio: 100,
      ratioFloorBytes: 1024 * 1024,
      ...changes,
    },
  });

  it('refuses a part that inflates past the ratio: a Word bomb', async () => {
    const { spec, upload } = validating();
    const bomb = await docxWith(['Informe'], { 'word/media/padding.bin': Buffer.alloc(4 << 20) });
    expect(bomb.length).toBeLessThan(64 * 1024);
    const [rejection] = await spec
      .when(upload(bomb, WORD_MEDIA_TYPE))
      .thenMatches(rejectedFor('DOCX_LIMIT_EXCEEDED'));
    expect(rejection?.data).toMatchObject({
      message: 'the Word document inflates more than 100 times its compressed size',
    });
  });

  it('refuses a document whose parts expand past the limit, or that has too many parts', async () => {
    const text = Array.from({ length: 40_000 }, (_, i) => `Glucosa ${i} mg/dL`).join('\n');
    const large = await docxWith(['Informe'], { 'word/notes.xml': text });
    const { spec: byBytes, upload: uploadTo } = validating(
      bounds({ maxExpandedBytes: 256 * 1024, maxRatio: 1_000_000 }),
    );
    await byBytes
      .when(uploadTo(large, WORD_MEDIA_TYPE))
      .thenMatches(rejectedFor('DOCX_LIMIT_EXCEEDED'));

    const { spec: byParts, upload } = validating(bounds({ maxEntries: 4 }));
    const many = await docxWith(['Informe'], { 'word/a.xml': '<a/>', 'word/b.xml': '<b/>' });
    const [rejection] = await byParts
      .when(upload(many, WORD_MEDIA_TYPE))
      .thenMatches(rejectedFor('DOCX_LIMIT_EXCEEDED'));
    expect(rejection?.data).toMatchObject({
      message: expect.stringMatching(/has \d+ parts, more than the 4 allowed/),
    });
    // The same document is accepted within the bounds.
    const within = validating();
    await within.spec
      .when(within.upload(many, WORD_MEDIA_TYPE))
      .thenMatches([{ type: 'DocumentValidated' }]);
  });

  it('refuses a part whose zip directory claims fewer bytes than it inflates to', async () => {
    const { spec, upload } = validating();
    const honest = await docxWith(['Informe'], { 'word/media/padding.bin': Buffer.alloc(4 << 20) });
    const lying = claimSize(honest, 'word/media/padding.bin', 1000);
    await spec.when(upload(lying, WORD_MEDIA_TYPE)).thenMatches(rejectedFor('DOCX_UNREADABLE'));
  });
});
