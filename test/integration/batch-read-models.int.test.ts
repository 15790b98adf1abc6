import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { EventLog } from '../../infra/kafka/event-log.ts';
import { createLogger } from '../../infra/logger.ts';
import { startBatchCompletion } from '../../producers/batches/completion.ts';
import { completedBatchCounts, findBatch } from '../../projections/batches/queries.ts';
import type { DomainEvent, EventMetadata } from '../../schemas/events.ts';
import { eventually } from '../support/environment.ts';
import { chainOf, documentEvent, documentUploaded, matchingOf } from '../support/events.ts';
import { readModelDatabase } from '../support/projection-spec.ts';

const BATCH = `SELECT name, status, file_count, closed_at IS NOT NULL AS closed,
  completed_at IS NOT NULL AS completed, processed, failed, matched, created, in_review
  FROM batches WHERE batch_id = $1`;

/** The events of one batch, keyed by its id. */
function batchOf(batchId = randomUUID(), tenantId = 'tenant-a') {
  const meta: Partial<EventMetadata> = { tenantId, aggregateId: batchId, correlationId: batchId };
  let added = 0;
  return {
    batchId,
    opened: (name: string | null = 'night scans') => documentEvent('BatchOpened', { name }, meta),
    closed: (fileCount: number) => documentEvent('BatchClosed', { fileCount }, meta),
    completed: (counts: { processed: number; failed: number; matched: number }) =>
      documentEvent(
        'BatchCompleted',
        { fileCount: counts.processed, created: 0, inReview: 0, ...counts },
        { ...meta, actor: 'batch-completion' },
      ),
    file: (fileName = 'scan.pdf') =>
      documentUploaded({
        metadata: { tenantId, correlationId: batchId, occurredAt: Date.now() + added++ },
        data: { batchId, fileName },
      }),
  };
}

describe('the batches read model', () => {
  const db = readModelDatabase(
    'batches, batch_files, documents, write_side.batch_sessions, write_side.batch_completions',
  );
  const spec = db.spec;
  /** The completion reactor on this database; its first pass runs at once, then only on `check`. */
  const completionWith = (eventLog: EventLog) =>
    startBatchCompletion({
      pool: db.pool,
      eventLog,
      logger: createLogger('silent'),
      now: Date.now,
      newId: randomUUID,
      intervalMs: 60_000,
      completedCounts: (tenantId, batchId, fileCount) =>
        completedBatchCounts(db.pool, tenantId, batchId, fileCount),
    });

  it('opens a batch, and closes it with its file count once', async () => {
    const batch = batchOf();
    const closed = batch.closed(2);
    await spec()
      .given(batch.opened(), batch.opened('renamed by a redelivery'))
      .when(closed, closed, batch.closed(5))
      .thenRows(
        BATCH,
        [batch.batchId],
        [
          {
            name: 'night scans',
            status: 'closed',
            file_count: 2,
            closed: true,
            completed: false,
            processed: null,
            failed: null,
            matched: null,
            created: null,
            in_review: null,
          },
        ],
      );
  });

  it('records the counts of a completed batch', async () => {
    const batch = batchOf();
    await spec()
      .given(batch.opened(null), batch.closed(3))
      .when(batch.completed({ processed: 3, failed: 1, matched: 2 }))
      .thenRows(
        BATCH,
        [batch.batchId],
        [
          {
            name: null,
            status: 'completed',
            file_count: 3,
            closed: true,
            completed: true,
            processed: 3,
            failed: 1,
            matched: 2,
            created: 0,
            in_review: 0,
          },
        ],
      );
  });

  it('lists the files uploaded into a batch, and only those, once each', async () => {
    const batch = batchOf();
    const first = batch.file('a.pdf');
    const second = batch.file('b.pdf');
    await spec()
      .given(batch.opened(), first, documentUploaded())
      .when(second, first)
      .thenRows(
        'SELECT document_id, file_name FROM batch_files WHERE batch_id = $1 ORDER BY file_name',
        [batch.batchId],
        [
          { document_id: first.metadata.aggregateId, file_name: 'a.pdf' },
          { document_id: second.metadata.aggregateId, file_name: 'b.pdf' },
        ],
      );
    expect((await db.pool.query('SELECT count(*)::int AS n FROM batch_files')).rows).toEqual([
      { n: 2 },
    ]);
  });

  it('keeps files that arrive before their batch is folded', async () => {
    const batch = batchOf();
    const early = batch.file();
    await spec()
      .given(early)
      .when(batch.opened())
      .thenRows(
        `SELECT b.status, f.document_id FROM batches b
         JOIN batch_files f USING (tenant_id, batch_id) WHERE b.batch_id = $1`,
        [batch.batchId],
        [{ status: 'open', document_id: early.metadata.aggregateId }],
      );
  });

  it('reads a batch with each file as the documents read model has it, and the counts', async () => {
    const batch = batchOf();
    const [rejected, matched, registered, waiting] = ['r.pdf', 'm.pdf', 'n.pdf', 'w.pdf'].map(
      (name) => batch.file(name),
    ) as [ReturnType<typeof batch.file>, ...ReturnType<typeof batch.file>[]];
    await spec()
      .given(batch.opened(), rejected, matched!, registered!, waiting!, batch.closed(4))
      .when(
        chainOf(rejected).rejected('PDF_ENCRYPTED'),
        chainOf(matched!).classified('lab-result'),
        matchingOf(matched!).patientMatched('patient-1'),
        matchingOf(registered!).patientMatched('patient-2', { method: 'registered' }),
      )
      .thenRowsMatch(
        'SELECT status FROM batches WHERE batch_id = $1',
        [batch.batchId],
        [{ status: 'closed' }],
      );
    const view = await findBatch(db.pool, 'tenant-a', batch.batchId);
    expect(view).toMatchObject({
      status: 'closed',
      fileCount: 4,
      counts: {
        files: 4,
        processed: 3,
        failed: 1,
        matched: 1,
        created: 1,
        inReview: 0,
        pending: 1,
      },
      completion: null,
    });
    expect(
      view?.files.map((f) => [f.fileName, f.status, f.statusReason, f.matchStatus, f.patientId]),
    ).toEqual([
      ['r.pdf', 'rejected', 'PDF_ENCRYPTED', null, null],
      ['m.pdf', 'classified', null, 'matched', 'patient-1'],
      ['n.pdf', 'uploaded', null, 'registered', 'patient-2'],
      ['w.pdf', 'uploaded', null, null, null],
    ]);
    expect(await findBatch(db.pool, 'tenant-b', batch.batchId)).toBeNull();
  });

  it('completes a batch once, after the log accepted the event, trying again after a refusal', async () => {
    const batch = batchOf();
    const [stopped, decided] = [batch.file('a.pdf'), batch.file('b.pdf')];
    await spec()
      .given(batch.opened(), stopped, decided!, batch.closed(2))
      .when(
        chainOf(stopped!).failed('extract-text'),
        matchingOf(decided!).reviewRequired('r-1', []),
      )
      .thenRowsMatch('SELECT count(*)::int AS n FROM batch_files', [], [{ n: 2 }]);
    await db.pool.query(
      `INSERT INTO write_side.batch_sessions
         (tenant_id, batch_id, status, file_count, closed_event_id, opened_at, closed_at)
       VALUES ('tenant-a', $1, 'closed', 2, 'closed-event', now(), now())`,
      [batch.batchId],
    );
    const appended: DomainEvent[] = [];
    let attempts = 0;
    const eventLog: EventLog = {
      async append(event) {
        if (++attempts === 1) throw new Error('broker unavailable');
        appended.push(event);
        return { topic: 'test.batch.events', partition: 0, offset: String(appended.length) };
      },
    };
    const completion = completionWith(eventLog);
    try {
      // The first pass, at start, meets the refusal and leaves no trace.
      await eventually(() => expect(attempts).toBe(1));
      await eventually(async () =>
        expect((await db.pool.query('SELECT * FROM write_side.batch_completions')).rows).toEqual(
          [],
        ),
      );
      expect(await completion.check()).toBe(1);
      expect(await completion.check()).toBe(0);
    } finally {
      await completion.stop();
    }
    expect(appended).toMatchObject([
      {
        type: 'BatchCompleted',
        metadata: { aggregateId: batch.batchId, causationId: 'closed-event' },
        data: { fileCount: 2, processed: 2, failed: 1, matched: 0, created: 0, inReview: 1 },
      },
    ]);
  });

  it('does not complete a batch while a file it was closed with is unknown or under way', async () => {
    const batch = batchOf();
    const done = batch.file();
    await spec()
      .given(batch.opened(), done, batch.file(), batch.closed(3))
      .when(chainOf(done).rejected('PDF_ENCRYPTED'))
      .thenRowsMatch('SELECT count(*)::int AS n FROM batch_files', [], [{ n: 2 }]);
    await db.pool.query(
      `INSERT INTO write_side.batch_sessions
         (tenant_id, batch_id, status, file_count, opened_at, closed_at)
       VALUES ('tenant-a', $1, 'closed', 3, now(), now())`,
      [batch.batchId],
    );
    const eventLog: EventLog = {
      append: () => Promise.reject(new Error('nothing should be appended')),
    };
    const completion = completionWith(eventLog);
    try {
      expect(await completion.check()).toBe(0);
    } finally {
      await completion.stop();
    }
  });
});
