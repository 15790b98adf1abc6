import { describe, expect, it } from 'vitest';
import { image } from '../../test/fixtures/images.ts';
import { docx } from '../../test/fixtures/words.ts';
import { validating } from '../../test/support/validating.ts';
import { WORD_MEDIA_TYPE } from '../word.ts';

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
