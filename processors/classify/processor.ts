import type { BlobReader } from '../../infra/blobs/blob-store.ts';
import { documentText } from '../document-text.ts';
import { inlineOffload, type Offload } from '../offload/offload.ts';
import type { Draft, Processor } from '../runtime/processor.ts';
import { processorVersion } from '../versions.ts';

export { type Classification, classifyText } from './classify-text.ts';

/**
 * Decides what kind of document a text is (lab result, prescription, discharge summary, ...) and
 * records why: the phrases that matched, the hint it was given, and the score of every type.
 */
export function createClassifyProcessor(deps: {
  blobs: BlobReader;
  /** Where a long text is scored, off the thread that serves; in the caller by default. */
  offload?: Offload;
}): Processor<'TextExtracted'> {
  const offload = deps.offload ?? inlineOffload;
  return {
    name: 'classify',
    version: processorVersion('classify'),
    consumes: ['TextExtracted'],
    async handle(event) {
      const text = await documentText(event, deps.blobs, (bytes) =>
        offload.run('decodeStoredText', bytes, bytes.length),
      );
      const { documentType, confidence, evidence, scores } = await offload.run(
        'classifyText',
        { text, hint: event.data.hint },
        text.length,
      );
      const draft: Draft = {
        type: 'DocumentClassified',
        data: { round: event.data.round, documentType, confidence, evidence, scores },
      };
      return [draft];
    },
  };
}
