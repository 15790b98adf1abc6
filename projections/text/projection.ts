import { BlobMissingError } from '../../producers/blobs/blob-store.ts';
import { UndecodableEventError } from '../../schemas/codec.ts';
import type { TextExtracted } from '../../schemas/events.ts';
import type { Projection, ProjectionPorts } from '../runtime/projection.ts';
import { sql } from '../runtime/projection.ts';

/** The shape of the blob a large extraction's text is kept in. */
export interface StoredText {
  pages: Array<{ page: number; text: string }>;
}

/** Puts the pages' text back into an extraction whose text was kept in the blob store. */
export async function withInlineText(
  event: TextExtracted,
  blobs: ProjectionPorts['blobs'],
): Promise<TextExtracted> {
  if (!event.data.textRef) return event;
  let stored: StoredText;
  try {
    stored = JSON.parse((await blobs.read(event.metadata.tenantId, event.data.textRef)).toString());
  } catch (cause) {
    if (cause instanceof BlobMissingError || cause instanceof SyntaxError) {
      throw new UndecodableEventError(`text blob ${event.data.textRef} is missing or corrupt`, {
        cause,
      });
    }
    throw cause;
  }
  const byPage = new Map(stored.pages.map((p) => [p.page, p.text]));
  return {
    ...event,
    data: {
      ...event.data,
      pages: event.data.pages.map((p) => ({ ...p, text: byPage.get(p.page) ?? '' })),
    },
  };
}

/** The text of each page of a document's latest round, indexed for full-text search. */
export const textProjection: Projection = {
  name: 'text',
  canHandle: ['TextExtracted'],
  resolve: (event, ports) => withInlineText(event as TextExtracted, ports.blobs),
  handle: (event) => {
    if (event.type !== 'TextExtracted') return [];
    const { tenantId, aggregateId } = event.metadata;
    const { round, pages } = event.data;
    return [
      sql(
        'DELETE FROM document_pages WHERE tenant_id = $1 AND document_id = $2 AND round < $3',
        tenantId,
        aggregateId,
        round,
      ),
      ...pages.map((p) =>
        sql(
          `INSERT INTO document_pages (tenant_id, document_id, page, round, method, confidence, text)
           SELECT $1, $2, $3, $4, $5, $6, $7
           WHERE NOT EXISTS (SELECT 1 FROM document_pages
             WHERE tenant_id = $1 AND document_id = $2 AND round > $4)
           ON CONFLICT (tenant_id, document_id, page) DO NOTHING`,
          tenantId,
          aggregateId,
          p.page,
          round,
          p.method,
          p.confidence,
          // PostgreSQL text cannot hold NUL; OCR never yields one, a text layer might.
          (p.text ?? '').replaceAll('\u0000', ''),
        ),
      ),
    ];
  },
};
