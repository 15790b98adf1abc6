import { describe, expect, it } from 'vitest';
import { documentText, searchDocuments } from '../../projections/text/queries.ts';
import { chainOf, documentUploaded } from '../support/events.ts';
import { readModelDatabase } from '../support/projection-spec.ts';

const STATUS = `SELECT status, round, status_reason, page_count, text_method, document_type
  FROM documents WHERE document_id = $1`;

describe('read models folded into PostgreSQL', () => {
  const db = readModelDatabase('documents, document_timeline, document_pages');
  const spec = db.spec;

  it('follows the chain to classified', async () => {
    const upload = documentUploaded();
    const chain = chainOf(upload);
    await spec()
      .given(upload, chain.validated({ pageCount: 2 }), chain.textExtracted(['a', 'b']))
      .when(chain.classified('lab-result'))
      .thenRows(
        STATUS,
        [upload.metadata.aggregateId],
        [
          {
            status: 'classified',
            round: 1,
            status_reason: null,
            page_count: 2,
            text_method: 'text-layer',
            document_type: 'lab-result',
          },
        ],
      );
  });

  it('keeps every event of a document in the timeline with its position, actor and cause', async () => {
    const upload = documentUploaded();
    const validated = chainOf(upload).validated();
    await spec()
      .given(upload)
      .when(validated, validated)
      .thenRowsMatch(
        `SELECT event_type, actor, causation_id, partition, "offset" FROM document_timeline
         WHERE document_id = $1 ORDER BY "offset"`,
        [upload.metadata.aggregateId],
        [
          { event_type: 'DocumentUploaded', actor: 'api-client', causation_id: null, partition: 0 },
          {
            event_type: 'DocumentValidated',
            actor: 'validate@1.0.0',
            causation_id: validated.metadata.causationId,
            partition: 0,
          },
        ],
      );
  });

  it('records a rejection and a processing failure with their reasons', async () => {
    const rejected = documentUploaded();
    const failed = documentUploaded();
    await spec()
      .given(rejected, failed, chainOf(failed).validated())
      .when(chainOf(rejected).rejected('PDF_ENCRYPTED'), chainOf(failed).failed('extract-text'))
      .thenRowsMatch(
        'SELECT document_id, status, status_reason, status_message FROM documents ORDER BY status DESC',
        [],
        [
          {
            document_id: rejected.metadata.aggregateId,
            status: 'rejected',
            status_reason: 'PDF_ENCRYPTED',
          },
          {
            document_id: failed.metadata.aggregateId,
            status: 'failed',
            status_reason: 'PROCESSING_FAILED',
            status_message: 'extract-text gave up: Error: boom',
          },
        ],
      );
  });

  it('starts a new round on reprocess and ignores what the old round still emits', async () => {
    const upload = documentUploaded();
    const chain = chainOf(upload);
    await spec()
      .given(upload, chain.validated(), chain.reprocessRequested(2))
      .when(chain.textExtracted(['late round 1 text']), chain.validated({ round: 2, pageCount: 3 }))
      .thenRows(
        STATUS,
        [upload.metadata.aggregateId],
        [
          {
            status: 'validated',
            round: 2,
            status_reason: null,
            page_count: 3,
            text_method: null,
            document_type: null,
          },
        ],
      );
    const { rows } = await db.pool.query(
      'SELECT event_type, round FROM document_timeline WHERE document_id = $1 ORDER BY "offset"',
      [upload.metadata.aggregateId],
    );
    expect(
      rows.map((r: { event_type: string; round: number }) => `${r.event_type}:${r.round}`),
    ).toEqual([
      'DocumentUploaded:1',
      'DocumentValidated:1',
      'DocumentReprocessRequested:2',
      'TextExtracted:1',
      'DocumentValidated:2',
    ]);
    // Until round 2 reads the text again, round 1's late reading is the text there is.
    expect(await documentText(db.pool, 'tenant-a', upload.metadata.aggregateId)).toMatchObject([
      { page: 1, round: 1, text: 'late round 1 text' },
    ]);
  });

  it('keeps only the latest round of text, and applies a redelivered event once', async () => {
    const upload = documentUploaded();
    const chain = chainOf(upload);
    const round2 = chain.textExtracted(['only page of round 2'], { round: 2 });
    await spec()
      .given(upload, chain.textExtracted(['page one', 'page two']), chain.reprocessRequested(2))
      .when(round2, round2)
      .thenRows(
        'SELECT page, round, text FROM document_pages WHERE document_id = $1',
        [upload.metadata.aggregateId],
        [{ page: 1, round: 2, text: 'only page of round 2' }],
      );
  });

  it('reads text kept in the blob store', async () => {
    const upload = documentUploaded();
    const stored = documentUploaded().metadata.eventId;
    const event = chainOf(upload).textExtracted(['', ''], { textRef: `sha256:${'b'.repeat(64)}` });
    const withRef = {
      ...event,
      data: { ...event.data, pages: event.data.pages.map((p) => ({ ...p, text: null })) },
    };
    const blobs = {
      read: async (tenant: string, ref: string) => {
        expect([tenant, ref]).toEqual(['tenant-a', `sha256:${'b'.repeat(64)}`]);
        return Buffer.from(
          JSON.stringify({
            pages: [
              { page: 1, text: stored },
              { page: 2, text: 'two' },
            ],
          }),
        );
      },
    };
    await spec({ blobs })
      .given(upload)
      .when(withRef)
      .thenRows(
        'SELECT page, text FROM document_pages ORDER BY page',
        [],
        [
          { page: 1, text: stored },
          { page: 2, text: 'two' },
        ],
      );
  });

  it('searches a tenant with Spanish and English stems, accents folded, best match first', async () => {
    const docs = [
      documentUploaded(),
      documentUploaded(),
      documentUploaded(),
      documentUploaded({ metadata: { tenantId: 'tenant-b' } }),
    ];
    const [es, en, both, other] = docs as [
      (typeof docs)[0],
      (typeof docs)[0],
      (typeof docs)[0],
      (typeof docs)[0],
    ];
    await spec()
      .given(...docs)
      .when(
        chainOf(es).textExtracted(['Paciente con dolor torácico y análisis clínicos elevados.']),
        chainOf(en).textExtracted(['Patient reports chest pains; labs were drawn.'], {
          language: 'eng',
        }),
        chainOf(both).textExtracted(['Otra hoja', 'Dolor toracico, dolores torácicos, dolor.']),
        chainOf(other).textExtracted(['dolor torácico en otro inquilino']),
      )
      .thenRows('SELECT count(*)::int AS n FROM document_pages', [], [{ n: 5 }]);

    const accents = await searchDocuments(db.pool, 'tenant-a', 'toracico', 10);
    expect(accents.map((h) => h.documentId).sort()).toEqual(
      [es.metadata.aggregateId, both.metadata.aggregateId].sort(),
    );
    expect(accents[0]).toMatchObject({ documentId: both.metadata.aggregateId, pages: [2] });
    expect(accents[0]?.snippet).toMatch(/<mark>[Tt]or[aá]cico<\/mark>/);

    const stems = await searchDocuments(db.pool, 'tenant-a', 'pain', 10);
    expect(stems.map((h) => h.documentId)).toEqual([en.metadata.aggregateId]);
    expect(stems[0]?.snippet).toContain('<mark>pains</mark>');

    const spanishStem = await searchDocuments(db.pool, 'tenant-a', 'análisis clínico', 10);
    expect(spanishStem.map((h) => h.documentId)).toEqual([es.metadata.aggregateId]);

    expect(await searchDocuments(db.pool, 'tenant-a', 'dolor -toracico', 10)).toEqual([]);
    expect(await searchDocuments(db.pool, 'tenant-b', 'pain', 10)).toEqual([]);
  });
});
