import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DocstreamError } from '../../infra/errors.ts';
import { createLogger } from '../../infra/logger.ts';
import { createPool, migrate, type Pool } from '../../infra/postgres.ts';
import { type EraseDocument, startRetention } from '../../producers/retention/reactor.ts';
import { createTestEnvironment, type TestEnvironment } from '../support/environment.ts';

const TENANT = 'clinic-reactor';
const HOUR = 3_600_000;

describe('the retention reactor on PostgreSQL', () => {
  let env: TestEnvironment;
  let pool: Pool;
  const asked: string[] = [];
  /** Each document's answer to its erasure: done, erased already, or a failure. */
  const answers = new Map<string, 'done' | 'already' | 'fails'>();
  const eraseDocument: EraseDocument = async (request) => {
    asked.push(`${request.documentId} ${request.principal} ${request.reason}`);
    const answer = answers.get(request.documentId) ?? 'done';
    if (answer === 'already') {
      throw new DocstreamError('conflict', 'DOCUMENT_ALREADY_ERASED', 'erased already');
    }
    if (answer === 'fails') throw new Error('key store unreachable');
  };
  const reactor = () =>
    startRetention({
      pool,
      eraseDocument,
      logger: createLogger('silent'),
      now: Date.now,
      // Passes run only when the test asks.
      settings: { intervalMs: 24 * HOUR, trashDelayHours: 1, maxErasuresPerPass: 10 },
    });
  const trash = (documentId: string, hoursAgo: number) =>
    pool.query(
      `INSERT INTO write_side.document_trash
         (tenant_id, document_id, trashed_at, trashed_by, trashed_event_id)
       VALUES ($1, $2, $3, 'key:abc', $4)`,
      [TENANT, documentId, new Date(Date.now() - hoursAgo * HOUR), `event-${documentId}`],
    );
  const inTrash = async () =>
    (
      await pool.query<{ document_id: string }>(
        'SELECT document_id FROM write_side.document_trash ORDER BY document_id',
      )
    ).rows.map((r) => r.document_id);

  beforeAll(async () => {
    env = await createTestEnvironment();
    await migrate(env.config.database, createLogger('silent'));
    pool = createPool(env.config.database.url, 4);
  });
  afterAll(async () => {
    await pool?.end();
    await env?.cleanup();
  });

  it('skips a pass while another process holds the lock, then erases what is due', async () => {
    await trash('doc-due', 2);
    await trash('doc-recent', 0.5);
    const running = reactor();
    const holder = await pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query("SELECT pg_advisory_xact_lock(hashtext('docstream.retention'))");
      expect(await running.pass()).toBe(0);
      expect(asked).toEqual([]);
      await holder.query('COMMIT');
    } finally {
      holder.release();
    }
    expect(await running.pass()).toBe(1);
    expect(asked).toEqual([
      'doc-due system:retention retention: in the trash past its delay of 1 hours',
    ]);
    expect(await inTrash()).toEqual(['doc-recent']);
    await running.stop();
  });

  it('counts an erasure done before as done, and keeps a failed one in the trash for the next pass', async () => {
    await pool.query('DELETE FROM write_side.document_trash');
    asked.length = 0;
    answers.set('doc-already', 'already');
    answers.set('doc-fails', 'fails');
    await trash('doc-already', 3);
    await trash('doc-fails', 2);
    const running = reactor();
    expect(await running.pass()).toBe(1);
    expect(asked.map((a) => a.split(' ')[0])).toEqual(['doc-already', 'doc-fails']);
    expect(await inTrash()).toEqual(['doc-fails']);
    answers.set('doc-fails', 'done');
    expect(await running.pass()).toBe(1);
    expect(await inTrash()).toEqual([]);
    await running.stop();
  });

  it('erases documents past the maximum age from the read model, leaving those erased before', async () => {
    asked.length = 0;
    const uploaded = async (documentId: string, daysAgo: number, status = 'classified') => {
      const at = new Date(Date.now() - daysAgo * 24 * HOUR);
      await pool.query(
        `INSERT INTO documents (tenant_id, document_id, status, file_name, media_type, size_bytes,
           sha256, blob_ref, correlation_id, uploaded_at, updated_at)
         VALUES ($1, $2, $3, 'f.pdf', 'application/pdf', 1, 'x', 'y', 'c', $4, $4)`,
        [TENANT, documentId, status, at],
      );
    };
    await uploaded('old-erased', 40);
    await uploaded('old', 31);
    await uploaded('young', 29);
    await pool.query(
      `INSERT INTO write_side.erasures (tenant_id, subject, erased_by, reason, event_id)
       VALUES ($1, 'document:old-erased', 'key:abc', 'asked', 'e-1')`,
      [TENANT],
    );
    await pool.query(
      `INSERT INTO write_side.retention_policies (tenant_id, documents_max_age_days, updated_by)
       VALUES ($1, 30, 'key:abc')`,
      [TENANT],
    );
    const running = reactor();
    expect(await running.pass()).toBe(1);
    expect(asked).toEqual(['old system:retention retention: document older than 30 days']);
    await running.stop();
  });
});
