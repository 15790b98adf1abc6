import type { BlobReader } from '../../producers/blobs/blob-store.ts';
import type { TextExtracted } from '../../schemas/events.ts';
import { type Draft, type Processor, permanent } from '../runtime/processor.ts';
import { classifyText } from './classify-text.ts';

export { type Classification, classifyText } from './classify-text.ts';

/**
 * Decides what kind of document a text is (lab result, prescription, discharge summary, ...) and
 * records why: the phrases that matched, the hint it was given, and the score of every type.
 */
export function createClassifyProcessor(deps: { blobs: BlobReader }): Processor<'TextExtracted'> {
  return {
    name: 'classify',
    version: '1.0.0',
    consumes: ['TextExtracted'],
    async handle(event) {
      const text = await textOf(event, deps.blobs);
      const { documentType, confidence, evidence, scores } = classifyText(text, event.data.hint);
      const draft: Draft = {
        type: 'DocumentClassified',
        data: { round: event.data.round, documentType, confidence, evidence, scores },
      };
      return [draft];
    },
  };
}

/** The document's text, pages in order: inline in the event, or in the blob it points to. */
async function textOf(event: TextExtracted, blobs: BlobReader): Promise<string> {
  const { textRef, pages } = event.data;
  if (!textRef) return joinPages(pages.map(({ page, text }) => ({ page, text: text ?? '' })));
  const bytes = await blobs.read(event.metadata.tenantId, textRef);
  return joinPages(parseTextBlob(bytes, textRef));
}

function joinPages(pages: ReadonlyArray<{ page: number; text: string }>): string {
  return [...pages]
    .sort((a, b) => a.page - b.page)
    .map((page) => page.text)
    .join('\n');
}

/** `{ pages: [{ page, text }] }`; anything else can never be classified, so it is permanent. */
function parseTextBlob(bytes: Buffer, ref: string): Array<{ page: number; text: string }> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw permanent(`text blob ${ref} is not JSON`, error);
  }
  const pages = (parsed as { pages?: unknown } | null)?.pages;
  const valid =
    Array.isArray(pages) &&
    pages.every(
      (page) =>
        typeof page?.page === 'number' && (typeof page.text === 'string' || page.text === null),
    );
  if (!valid) throw permanent(`text blob ${ref} does not hold { pages: [{ page, text }] }`);
  return pages.map(({ page, text }) => ({ page, text: text ?? '' }));
}
