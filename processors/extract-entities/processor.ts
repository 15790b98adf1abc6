import type { BlobReader } from '../../infra/blobs/blob-store.ts';
import { documentPages } from '../document-text.ts';
import { inlineOffload, type Offload } from '../offload/offload.ts';
import type { Draft, Processor } from '../runtime/processor.ts';
import { processorVersion } from '../versions.ts';

export { type Entities, extractEntities } from './extract.ts';
export { assessQuality } from './quality.ts';

/**
 * Reads who the document is about and what it records (identifiers, name, dates, provider,
 * facility, labs, medications, diagnoses, vitals), then judges how far that can be trusted.
 */
export function createExtractEntitiesProcessor(deps: {
  blobs: BlobReader;
  /** Where a long text is read, off the thread that serves; in the caller by default. */
  offload?: Offload;
}): Processor<'TextExtracted'> {
  const offload = deps.offload ?? inlineOffload;
  return {
    name: 'extract-entities',
    version: processorVersion('extract-entities'),
    consumes: ['TextExtracted'],
    async handle(event) {
      const { round, language } = event.data;
      const pages = await documentPages(event, deps.blobs, (bytes) =>
        offload.run('decodeStoredText', bytes, bytes.length),
      );
      const size = pages.reduce((sum, page) => sum + page.text.length, 0);
      const { entities, quality } = await offload.run('extractEntities', { pages, language }, size);
      const drafts: Draft[] = [
        { type: 'EntitiesExtracted', data: { round, ...entities } },
        { type: 'QualityAssessed', data: { round, ...quality } },
      ];
      return drafts;
    },
  };
}
