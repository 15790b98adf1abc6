import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  corruptPng,
  image,
  multiPageTiff,
  pngClaiming,
  sidewaysJpeg,
  truncatedJpeg,
} from '../../test/fixtures/images.ts';
import { faxTiff, lateDirectoryTiff, loopingTiff, lsbFirst } from '../../test/fixtures/tiffs.ts';
import { validating } from '../../test/support/validating.ts';

const rejectedFor = (reason: string) => [
  { type: 'DocumentRejected' as const, data: { round: 1, reason } },
];

describe('validate: images', () => {
  it('accepts a PNG and a JPEG with their size in pixels', async () => {
    const { spec, upload } = validating();
    await spec.when(upload(await image('png', 30, 20), 'image/png')).thenMatches([
      {
        type: 'DocumentValidated',
        data: { mediaType: 'image/png', pageCount: 1, pages: [{ page: 1, width: 30, height: 20 }] },
      },
    ]);
    await spec
      .when(upload(await image('jpeg', 64, 48), 'image/jpeg'))
      .thenMatches([
        { type: 'DocumentValidated', data: { pages: [{ page: 1, width: 64, height: 48 }] } },
      ]);
  });

  it('gives the size of a photo as it is displayed, EXIF orientation applied', async () => {
    const { spec, upload } = validating();
    await spec
      .when(upload(await sidewaysJpeg(64, 48), 'image/jpeg'))
      .thenMatches([
        { type: 'DocumentValidated', data: { pages: [{ page: 1, width: 48, height: 64 }] } },
      ]);
  });

  it('counts and sizes every page of a multi-page TIFF', async () => {
    const { spec, upload } = validating();
    const tiff = await multiPageTiff(2, 40, 60);
    await spec.when(upload(tiff, 'image/tiff')).thenMatches([
      {
        type: 'DocumentValidated',
        data: {
          pageCount: 2,
          pages: [
            { page: 1, width: 40, height: 60 },
            { page: 2, width: 40, height: 60 },
          ],
        },
      },
    ]);
  });

  it('applies the page limit to the pages of a TIFF', async () => {
    const { spec, upload } = validating({ maxPages: 1 });
    const tiff = await multiPageTiff(2, 40, 60);
    await spec.when(upload(tiff, 'image/tiff')).thenMatches(rejectedFor('TOO_MANY_PAGES'));
  });

  it('rejects a truncated JPEG whose header alone reads fine', async () => {
    const jpeg = await truncatedJpeg();
    expect(await sharp(jpeg).metadata()).toMatchObject({ width: 256, height: 256 });
    const { spec, upload } = validating();
    const [rejection] = await spec
      .when(upload(jpeg, 'image/jpeg'))
      .thenMatches(rejectedFor('IMAGE_UNREADABLE'));
    expect(rejection?.data).toMatchObject({ message: expect.stringMatching(/^page 1 cannot/) });
  });

  it('refuses a pixel bomb from its header: 100000 x 100000 in a few hundred bytes', async () => {
    const bomb = pngClaiming(100_000, 100_000);
    expect(bomb.length).toBeLessThan(1024);
    const { spec, upload } = validating();
    const [rejection] = await spec
      .when(upload(bomb, 'image/png'))
      .thenMatches(rejectedFor('IMAGE_TOO_LARGE'));
    expect(rejection?.data).toMatchObject({ message: expect.stringMatching(/100000x100000/) });
  });

  it('rejects an image over a lowered pixel limit and accepts one at it', async () => {
    const { spec, upload } = validating({ maxPagePixels: 600 });
    await spec
      .when(upload(await image('png', 30, 21), 'image/png'))
      .thenMatches(rejectedFor('IMAGE_TOO_LARGE'));
    await spec
      .when(upload(await image('png', 30, 20), 'image/png'))
      .thenMatches([{ type: 'DocumentValidated', data: { pageCount: 1 } }]);
  });

  it('rejects bytes with an image signature but no readable header', async () => {
    const { spec, upload } = validating();
    await spec.when(upload(corruptPng(), 'image/png')).thenMatches(rejectedFor('IMAGE_UNREADABLE'));
  });

  it('rejects an image whose bytes are not of its media type', async () => {
    const { spec, upload } = validating();
    const [rejection] = await spec
      .when(upload(await image('jpeg', 8, 8), 'image/png'))
      .thenMatches(rejectedFor('IMAGE_UNREADABLE'));
    expect(rejection?.data).toMatchObject({ message: 'the bytes are jpeg, not image/png' });
  });

  it('accepts a scanner TIFF with its page directories after the image data', async () => {
    const { spec, upload } = validating();
    await spec
      .when(upload(await lateDirectoryTiff(2, 320, 240), 'image/tiff'))
      .thenMatches([{ type: 'DocumentValidated', data: { pageCount: 2 } }]);
  });

  it('accepts a fax: CCITT Group 4, one bit per pixel, sized in its own pixels', async () => {
    const page = await image('png', 1728, 2200);
    const { spec, upload } = validating();
    await spec.when(upload(await faxTiff([page, page]), 'image/tiff')).thenMatches([
      {
        type: 'DocumentValidated',
        data: {
          pages: [
            { page: 1, width: 1728, height: 1057 },
            { page: 2, width: 1728, height: 1057 },
          ],
        },
      },
    ]);
  });

  it('reads a fax stored least significant bit first (FillOrder 2) as the same pixels', async () => {
    const page = await sharp({
      create: { width: 1728, height: 400, channels: 3, background: '#fff' },
    })
      .composite([
        {
          input: { create: { width: 600, height: 80, channels: 3, background: '#000' } },
          top: 100,
          left: 200,
        },
      ])
      .png()
      .toBuffer();
    const fax = await faxTiff([page]);
    const reversed = lsbFirst(fax);
    const [read, written] = await Promise.all(
      [reversed, fax].map((t) => sharp(t).raw().toBuffer()),
    );
    expect(read?.equals(written!)).toBe(true);
    const { spec, upload } = validating();
    await spec
      .when(upload(reversed, 'image/tiff'))
      .thenMatches([{ type: 'DocumentValidated', data: { pages: [{ width: 1728 }] } }]);
  });

  it('rejects a TIFF whose pages loop back on themselves, in its own words', async () => {
    const { spec, upload } = validating();
    const [rejection] = await spec
      .when(upload(await loopingTiff(), 'image/tiff'))
      .thenMatches(rejectedFor('TIFF_PAGE_LOOP'));
    expect(rejection?.data).toMatchObject({ message: expect.stringMatching(/^the pages loop/) });
  });
});
