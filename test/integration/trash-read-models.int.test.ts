import { describe, expect, it } from 'vitest';
import { findDocument, isTrashed, listDocuments } from '../../projections/documents/queries.ts';
import { documentEntities } from '../../projections/entities/queries.ts';
import { documentText, searchDocuments } from '../../projections/text/queries.ts';
import type { DocumentUploaded } from '../../schemas/events.ts';
import { chainOf, documentEvent, documentUploaded } from '../support/events.ts';
import { readModelDatabase } from '../support/projection-spec.ts';

const TRASHED_AT = 'SELECT trashed_at FROM documents WHERE document_id = $1';

describe('the trash in the read models', () => {
  const db = readModelDatabase('documents, document_timeline, document_pages');
  const spec = db.spec;

  const of = (upload: DocumentUploaded) => ({
    tenantId: upload.metadata.tenantId,
    aggregateId: upload.metadata.aggregateId,
  });
  const trashed = (upload: DocumentUploaded, occurredAt: number) =>
    documentEvent(
      'DocumentTrashed',
      { principal: 'key:abc', reason: null },
      { ...of(upload), occurredAt },
    );
  const restored = (upload: DocumentUploaded) =>
    documentEvent(
      'DocumentRestored',
      { principal: 'key:abc', trashedEventId: 'e-1' },
      { ...of(upload), occurredAt: Date.parse('2026-11-25T10:00:00Z') },
    );
  /** What every read of the tenant's documents answers for `upload`. */
  const reads = async (upload: DocumentUploaded) => {
    const { tenantId, aggregateId: id } = of(upload);
    return {
      found: (await findDocument(db.pool, tenantId, id)) !== null,
      trashed: await isTrashed(db.pool, tenantId, id),
      listed: (await listDocuments(db.pool, tenantId, {}, { limit: 10 })).items.map((d) => d.id),
      searched: (await searchDocuments(db.pool, tenantId, 'glucosada', 10)).map(
        (h) => h.documentId,
      ),
      pages: (await documentText(db.pool, tenantId, id)).length,
      entities: await documentEntities(db.pool, tenantId, id),
    };
  };

  it('hides a trashed document from every read, keeping its row and status', async () => {
    const upload = documentUploaded();
    const chain = chainOf(upload);
    const at = Date.parse('2026-11-24T12:00:00Z');
    await spec()
      .given(upload, chain.validated(), chain.textExtracted(['hemoglobina glucosada 6.1 %']))
      .when(trashed(upload, at))
      .thenRows(TRASHED_AT, [upload.metadata.aggregateId], [{ trashed_at: new Date(at) }]);
    expect(await reads(upload)).toEqual({
      found: false,
      trashed: true,
      listed: [],
      searched: [],
      pages: 0,
      entities: null,
    });
    const { rows } = await db.pool.query('SELECT status FROM documents WHERE document_id = $1', [
      upload.metadata.aggregateId,
    ]);
    expect(rows).toEqual([{ status: 'text-extracted' }]);
  });

  it('brings a restored document back as it was, and folds a redelivered trash once', async () => {
    const upload = documentUploaded();
    const chain = chainOf(upload);
    const trash = trashed(upload, Date.parse('2026-11-24T12:00:00Z'));
    await spec()
      .given(upload, chain.validated(), chain.textExtracted(['hemoglobina glucosada 6.1 %']))
      .when(trash, trash, restored(upload))
      .thenRows(TRASHED_AT, [upload.metadata.aggregateId], [{ trashed_at: null }]);
    const id = upload.metadata.aggregateId;
    expect(await reads(upload)).toMatchObject({
      found: true,
      trashed: false,
      listed: [id],
      searched: [id],
      pages: 1,
    });
  });
});
