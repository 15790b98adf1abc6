import mammoth from 'mammoth';
import sharp from 'sharp';

export const WORD_MEDIA_TYPE =
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** A picture placed in a Word document, with its size in pixels. */
export interface WordImage {
  readonly bytes: Buffer;
  readonly width: number;
  readonly height: number;
}

/** What a Word (.docx) document holds for reading: its text, and the pictures placed in it. */
export interface WordContent {
  /** Paragraphs separated by blank lines, tables and lists included. */
  readonly text: string;
  /**
   * The raster pictures in document order (a scan pasted into a letter is common). Vector
   * drawings (EMF, WMF) have no pixels to read and are left out.
   */
  readonly images: WordImage[];
}

/** Reads a .docx; throws when the bytes are not a Word document mammoth can open. */
export async function readWord(bytes: Buffer): Promise<WordContent> {
  const { value: text } = await mammoth.extractRawText({ buffer: bytes });
  const embedded: Buffer[] = [];
  await mammoth.convertToHtml(
    { buffer: bytes },
    {
      convertImage: mammoth.images.imgElement(async (image) => {
        embedded.push(await image.readAsBuffer());
        return { src: '' };
      }),
    },
  );
  const images: WordImage[] = [];
  for (const picture of embedded) {
    const metadata = await sharp(picture, { limitInputPixels: false })
      .metadata()
      .catch(() => null);
    if (metadata?.autoOrient) images.push({ bytes: picture, ...metadata.autoOrient });
  }
  return { text, images };
}
