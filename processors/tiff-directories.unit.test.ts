import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { multiPageTiff } from '../test/fixtures/images.ts';
import { bigTiff, faxTiff, lateDirectoryTiff, loopingTiff } from '../test/fixtures/tiffs.ts';
import { readTiffDirectories, verticalStretch } from './tiff-directories.ts';

describe('readTiffDirectories', () => {
  it('follows the chain of pages wherever the directories lie', async () => {
    const late = readTiffDirectories(await lateDirectoryTiff(3), 10);
    expect(late).toMatchObject({ kind: 'pages', pages: [{}, {}, {}] });
    expect(readTiffDirectories(await bigTiff(), 10)).toMatchObject({ kind: 'pages', pages: [{}] });
  });

  it('reads a fax page resolution: 204 dpi across, 98 or 196 down', async () => {
    const page = await sharp({
      create: { width: 1728, height: 300, channels: 3, background: '#fff' },
    })
      .png()
      .toBuffer();
    const normal = readTiffDirectories(await faxTiff([page], 'normal'), 10);
    const fine = readTiffDirectories(await faxTiff([page], 'fine'), 10);
    expect(normal).toEqual({ kind: 'pages', pages: [{ xResolution: 204, yResolution: 98 }] });
    if (normal.kind !== 'pages' || fine.kind !== 'pages') throw new Error('not read');
    expect(verticalStretch(normal.pages[0]!)).toBeCloseTo(204 / 98, 5);
    expect(verticalStretch(fine.pages[0]!)).toBeCloseTo(204 / 196, 5);
    expect(verticalStretch({ xResolution: 300, yResolution: 300 })).toBe(1);
    expect(verticalStretch({ xResolution: 204, yResolution: null })).toBe(1);
  });

  it('stops at a chain that comes back on itself, and at the page limit', async () => {
    expect(readTiffDirectories(await loopingTiff(), 500)).toEqual({ kind: 'loop', page: 2 });
    expect(readTiffDirectories(await multiPageTiff(3, 8, 8), 2)).toEqual({
      kind: 'too-many',
      limit: 2,
    });
  });

  it('calls a file damaged when a directory lies outside it or the header is not a TIFF', async () => {
    const tiff = Buffer.from(await multiPageTiff(1, 8, 8));
    tiff.writeUInt32LE(tiff.length + 100, 4);
    expect(readTiffDirectories(tiff, 10)).toMatchObject({ kind: 'damaged' });
    expect(readTiffDirectories(Buffer.from('%PDF-1.7 not a tiff'), 10)).toMatchObject({
      kind: 'damaged',
    });
  });
});
