import type { BlobReader } from '../../infra/blobs/blob-store.ts';
import { documentText } from '../document-text.ts';
import type { Draft, Processor } from '../runtime/processor.ts';
import { processorVersion } from '../versions.ts';
import { classifyText } from './classify-text.ts';

export { type Classification, classifyText } from './classify-text.ts';

/**
 * Decides what kind of document a text is (lab result, prescription, discharge summary, ...) and
 * records why: the phrases that matched, the hint it was given, and the score of every type.
 */
export function createClassifyProcessor(deps: { blobs: BlobReader }): Processor<'TextExtracted'> {
  return {
    name: 'classify',
    version: processorVersion('classify'),
    consumes: ['TextExtracted'],
    async handle(event) {
      const text = await documentText(event, deps.blobs);
      const { documentType, confidence, evidence, scores } = classifyText(text, event.data.hint);
      const draft: Draft = {
        type: 'DocumentClassified',
        data: { round: event.data.round, documentType, confidence, evidence, scores },
      };
      return [draft];
    },
  };
}
