import { BlobMissingError } from '../../infra/blobs/blob-store.ts';
import { decodeStoredText } from '../../infra/blobs/stored-text.ts';
import { KeyDestroyedError } from '../../infra/crypto/errors.ts';
import { UndecodableEventError } from '../../schemas/codec.ts';
import type { TextExtracted } from '../../schemas/events.ts';
import {
  defineProjection,
  type ProjectionPorts,
  type SqlStatement,
  sql,
} from '../runtime/projection.ts';

/** Puts the pages' text back into an extraction whose text was kept in the blob store. */
export async function withInlineText(
  event: TextExtracted,
  blobs: ProjectionPorts['blobs'],
): Promise<TextExtracted> {
  const { textRef } = event.data;
  if (!textRef) return event;
  const bytes = await blobs.read(event.metadata.tenantId, textRef).catch((cause: unknown) => {
    // Erased: the text is gone for good, as the event's own sealed fields are.
    if (cause instanceof KeyDestroyedError) return null;
    if (!(cause instanceof BlobMissingError)) throw cause;
    throw new UndecodableEventError(`text blob ${textRef} is missing`, { cause });
  });
  if (bytes === null) {
    return {
      ...event,
      data: { ...event.data, pages: event.data.pages.map((p) => ({ ...p, text: '' })) },
    };
  }
  const stored = decodeStoredText(bytes);
  if (!stored) throw new UndecodableEventError(`text blob ${textRef} is corrupt`);
  const byPage = new Map(stored.map((p) => [p.page, p.text]));
  return {
    ...event,
    data: {
      ...event.data,
      pages: event.data.pages.map((p) => ({ ...p, text: byPage.get(p.page) ?? '' })),
    },
  };
}

/** The text of each page of a document's latest round, indexed for full-text search. */
export const textProjection = defineProjection({
  name: 'text',
  handlers: {
    TextExtracted: pageStatements,
    DocumentErased: (event) => [
      sql(
        'DELETE FROM document_pages WHERE tenant_id = $1 AND document_id = $2',
        event.metadata.tenantId,
        event.metadata.aggregateId,
      ),
    ],
  },
  resolvers: { TextExtracted: (event, ports) => withInlineText(event, ports.blobs) },
});

function pageStatements(event: TextExtracted): SqlStatement[] {
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
}
