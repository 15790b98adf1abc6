import type { BlobReader } from '../../infra/blobs/blob-store.ts';
import { documentPages } from '../document-text.ts';
import type { Draft, Processor } from '../runtime/processor.ts';
import { processorVersion } from '../versions.ts';
import { extractEntities } from './extract.ts';
import { assessQuality } from './quality.ts';

export { type Entities, extractEntities } from './extract.ts';
export { assessQuality } from './quality.ts';

/**
 * Reads who the document is about and what it records (identifiers, name, dates, provider,
 * facility, labs, medications, diagnoses, vitals), then judges how far that can be trusted.
 */
export function createExtractEntitiesProcessor(deps: {
  blobs: BlobReader;
}): Processor<'TextExtracted'> {
  return {
    name: 'extract-entities',
    version: processorVersion('extract-entities'),
    consumes: ['TextExtracted'],
    async handle(event) {
      const { round, language } = event.data;
      const pages = await documentPages(event, deps.blobs);
      const entities = extractEntities(pages, language);
      const quality = assessQuality(pages, entities);
      const drafts: Draft[] = [
        { type: 'EntitiesExtracted', data: { round, ...entities } },
        { type: 'QualityAssessed', data: { round, ...quality } },
      ];
      return drafts;
    },
  };
}
