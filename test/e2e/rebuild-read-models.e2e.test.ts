import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../../infra/kafka/client.ts';
import { topicNames } from '../../infra/kafka/topics.ts';
import { createLogger } from '../../infra/logger.ts';
import { createPool } from '../../infra/postgres.ts';
import { TERMINAL_STATUSES } from '../../projections/documents/projection.ts';
import { rebuildReadModels } from '../../projections/runtime/rebuild.ts';
import { type System, startSystem } from '../../system/system.ts';
import { apiClient, chainStepsOf } from '../support/api-client.ts';
import { issueKey } from '../support/credentials.ts';
import { createTestEnvironment, eventually, type TestEnvironment } from '../support/environment.ts';
import { runNpmScript } from '../support/processes.ts';

interface TimelineEvent {
  eventId: string;
  type: string;
  round: number;
}
const TENANT = 'clinic-rebuild';
const NOTE = Buffer.from(
  [
    'RESULTADOS DE LABORATORIO',
    'Glucosa 126 mg/dL (70 - 100) ALTO',
    'Hemoglobina glucosada 7.1 % (4.0 - 5.6) ALTO',
  ].join('\n'),
);

describe('rebuilding the read models from the log', () => {
  let env: TestEnvironment;
  let system: System | undefined;
  let key: string | undefined;

  beforeAll(async () => {
    env = await createTestEnvironment({ OCR_WORKERS: '1' });
  });
  afterAll(async () => {
    await system?.stop();
    await env?.cleanup();
  });

  const start = async () => {
    system = await startSystem(env.config, createLogger('warn'));
    // Issued once: keys are write-side state, which a rebuild keeps.
    key ??= (await issueKey(env.config.database.url, TENANT)).key;
    return apiClient(system.url as string, TENANT, key);
  };
  const stop = async () => {
    await system?.stop();
    system = undefined;
  };
  /** `npm run rebuild-read-models` against this test's environment. */
  const rebuild = async () => {
    const run = await runNpmScript('rebuild-read-models', [], { ...env.env, LOG_LEVEL: 'info' });
    return { code: run.code, output: run.stdout + run.stderr };
  };
  /** The same rebuild, called directly: the command's refusal while docstream runs. */
  const rebuildInProcess = async () => {
    const logger = createLogger('silent');
    const pool = createPool(env.config.database.url, 1);
    const admin = createKafka(env.config, logger).admin();
    await admin.connect();
    try {
      const topics = topicNames(env.config.topics.prefix);
      return await rebuildReadModels({
        database: env.config.database,
        pool,
        admin,
        topics,
        logger,
      });
    } finally {
      await admin.disconnect();
      await pool.end();
    }
  };
  const shown = (api: ReturnType<typeof apiClient>, documentId: string, round: number) =>
    eventually(async () => {
      const { body } = await api.document(documentId);
      expect(body.round).toBe(round);
      expect(TERMINAL_STATUSES).toContain(body.status);
      return body;
    }, 60_000);
  /** What the documents read model folded from a document's events. */
  const folded = (document: Record<string, unknown>) => {
    const { status, statusReason, round, sha256, duplicateOf, pageCount, text, classification } =
      document;
    return { status, statusReason, round, sha256, duplicateOf, pageCount, text, classification };
  };
  /** The document's history, as far as the chain goes, as the timeline read model shows it. */
  const chainOf = async (api: ReturnType<typeof apiClient>, documentId: string) => {
    const { body } = await api.history(documentId);
    return chainStepsOf(body.events as TimelineEvent[]).map(({ eventId, type, round }) => ({
      eventId,
      type,
      round,
    }));
  };
  const rowsOf = async (sql: string, values: unknown[] = []) => {
    const pool = createPool(env.config.database.url, 1);
    try {
      return (await pool.query(sql, values)).rows;
    } finally {
      await pool.end();
    }
  };

  it('folds every read model again from offset 0 while the write side keeps its state', async () => {
    let api = await start();
    const first = await api.upload(NOTE, 'laboratorio.txt');
    await shown(api, first.documentId, 1);
    expect((await api.reprocess(first.documentId, 'new rules')).body.round).toBe(2);
    const before = await shown(api, first.documentId, 2);
    expect(before).toMatchObject({ status: 'classified', duplicateOf: null });
    const chainBefore = await chainOf(api, first.documentId);
    expect(chainBefore.map((e) => `${e.round}:${e.type}`)).toEqual([
      '1:DocumentUploaded',
      '1:DocumentValidated',
      '1:TextExtracted',
      '1:DocumentClassified',
      '2:DocumentReprocessRequested',
      '2:DocumentValidated',
      '2:TextExtracted',
      '2:DocumentClassified',
    ]);

    await expect(rebuildInProcess()).rejects.toThrow('docstream is running');
    expect((await api.document(first.documentId)).body).toMatchObject({ round: 2 });

    await stop();
    const rebuilt = await rebuild();
    expect(rebuilt.code, rebuilt.output).toBe(0);
    expect(await rowsOf('SELECT count(*)::int AS n FROM documents')).toEqual([{ n: 0 }]);
    expect(await rowsOf('SELECT count(*)::int AS n FROM projection_checkpoints')).toEqual([
      { n: 0 },
    ]);
    expect(
      await rowsOf('SELECT round FROM write_side.document_rounds WHERE document_id = $1', [
        first.documentId,
      ]),
    ).toEqual([{ round: 2 }]);

    api = await start();
    const replayed = await shown(api, first.documentId, 2);
    expect(folded(replayed)).toEqual(folded(before));
    await eventually(async () => expect(await chainOf(api, first.documentId)).toEqual(chainBefore));

    const third = await api.reprocess(first.documentId);
    expect(third).toMatchObject({ status: 202, body: { round: 3 } });
    await shown(api, first.documentId, 3);

    // The 202 answer carries more than the client's type says: the intake's verdict.
    const again: { documentId: string; duplicateOf?: unknown } = await api.upload(
      NOTE,
      'copia.txt',
    );
    expect(again.duplicateOf).toBe(first.documentId);
    const copy = await eventually(async () => {
      const { status, body } = await api.document(again.documentId);
      expect(status).toBe(200);
      return body;
    });
    expect(copy.duplicateOf).toBe(first.documentId);
  }, 240_000);
});
