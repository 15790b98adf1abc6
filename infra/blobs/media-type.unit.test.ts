import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { png, refused, textPdf } from '../../test/fixtures/files.ts';
import { image } from '../../test/fixtures/images.ts';
import {
  bigTiff,
  faxTiff,
  firstDirectoryOffset,
  lateDirectoryTiff,
} from '../../test/fixtures/tiffs.ts';
import { docx, word97Doc } from '../../test/fixtures/words.ts';
import { HEAD_BYTES } from './blob-store.ts';
import { DOCX, detectMediaType, refusalOf } from './media-type.ts';

describe('detectMediaType', () => {
  it('recognises the allowed formats by their bytes', async () => {
    expect(await detectMediaType(await textPdf(['Hemoglobina 13.5 g/dL']))).toBe('application/pdf');
    expect(await detectMediaType(png())).toBe('image/png');
    expect(await detectMediaType(await image('jpeg', 8, 8))).toBe('image/jpeg');
    expect(await detectMediaType(await image('tiff', 8, 8))).toBe('image/tiff');
    expect(await detectMediaType(Buffer.from('Paciente: María Pérez\nGlucosa 98 mg/dL\n'))).toBe(
      'text/plain',
    );
  });

  it('refuses other formats and binary that is not text', async () => {
    for (const bytes of Object.values(refused)) {
      expect(await detectMediaType(bytes)).toBeNull();
    }
    expect(await detectMediaType(Buffer.from([0xc3, 0x28, 0x41]))).toBeNull();
    expect(await detectMediaType(Buffer.alloc(0))).toBeNull();
  });

  it('accepts a text sample cut inside a multi-byte character', async () => {
    const sample = Buffer.from(`a${'é'.repeat(3000)}`).subarray(0, 4100);
    expect(sample.at(-1)).toBe(0xc3);
    expect(await detectMediaType(sample)).toBe('text/plain');
  });
});

describe('detectMediaType on a staged file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'content-type-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** The file as intake has it: on disk, with its first HEAD_BYTES in memory. */
  const staged = async (bytes: Buffer) => {
    const file = path.join(dir, `${Math.random().toString(36).slice(2)}.bin`);
    await writeFile(file, bytes);
    return { path: file, head: bytes.subarray(0, HEAD_BYTES) };
  };

  it('recognises a TIFF whose first page directory lies past the first bytes', async () => {
    const tiff = await lateDirectoryTiff(2);
    expect(firstDirectoryOffset(tiff)).toBeGreaterThan(HEAD_BYTES);
    // The first bytes alone cannot tell: the directory that proves it is a TIFF is further on.
    expect(await detectMediaType(tiff.subarray(0, HEAD_BYTES))).toBeNull();
    expect(await detectMediaType(await staged(tiff))).toBe('image/tiff');
  });

  it('recognises a BigTIFF and a fax (CCITT Group 4, one bit, 204 x 98 dpi)', async () => {
    expect(await detectMediaType(await staged(await bigTiff()))).toBe('image/tiff');
    const page = await sharp({
      create: { width: 1728, height: 400, channels: 3, background: '#ffffff' },
    })
      .png()
      .toBuffer();
    const fax = await faxTiff([page, page]);
    expect(await sharp(fax).metadata()).toMatchObject({ bitsPerSample: 1, pages: 2 });
    expect(await detectMediaType(await staged(fax))).toBe('image/tiff');
  });

  it('refuses an image signature whose header does not decode', async () => {
    const tiff = Buffer.from('49492a000800000000000000', 'hex');
    expect(await detectMediaType(await staged(tiff))).toBeNull();
    const jpeg = Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex');
    expect(await detectMediaType(await staged(jpeg))).toBeNull();
  });

  it('recognises a Word document by the parts in its zip, whatever its name', async () => {
    const word = await docx(['Informe de alta', 'Paciente: María Pérez']);
    expect(await detectMediaType(await staged(word))).toBe(DOCX);
  });

  it('refuses a Word 97 .doc with its own code, and other content with the general one', async () => {
    const doc = await staged(word97Doc());
    expect(await detectMediaType(doc)).toBeNull();
    expect(await refusalOf(doc)).toEqual({
      code: 'WORD_97_UNSUPPORTED',
      message: expect.stringMatching(/\.doc\b.*\.docx/),
    });
    expect(await refusalOf(await staged(refused.elf))).toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
    });
  });
});
