import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileBlobStore } from '../../infra/blobs/blob-store.ts';
import { createSealingCodec } from '../../infra/crypto/sealing-codec.ts';
import { type KeyService, startKeyService } from '../../infra/crypto/service.ts';
import { createKafka } from '../../infra/kafka/client.ts';
import { topicNames } from '../../infra/kafka/topics.ts';
import { createLogger } from '../../infra/logger.ts';
import { createPool, type Pool, withTenant } from '../../infra/postgres.ts';
import { READ_MODEL_TABLES } from '../../projections/catalog.ts';
import { documentsProjection } from '../../projections/documents/projection.ts';
import { digestTable } from '../../projections/runtime/compare.ts';
import { readPositions } from '../../projections/runtime/positions.ts';
import type { Projection } from '../../projections/runtime/projection.ts';
import { rebuildAndSwap } from '../../projections/runtime/rebuild-and-swap.ts';
import { createSchemaRegistry } from '../../schemas/codec.ts';
import type { DomainEvent } from '../../schemas/events.ts';
import { type System, startSystem } from '../../system/system.ts';
import { apiClient } from '../support/api-client.ts';
import { issueKey } from '../support/credentials.ts';
import { createTestEnvironment, eventually, type TestEnvironment } from '../support/environment.ts';
import { runNpmScript } from '../support/processes.ts';

const TENANT = 'clinic-swap';
const NOTES = [
  ['RESULTADOS DE LABORATORIO', 'Glucosa 126 mg/dL (70 - 100) ALTO'],
  ['INFORME DE ALTA', 'Diagnóstico: neumonía adquirida en la comunidad'],
  ['RECETA MÉDICA', 'Amoxicilina 500 mg cada 8 horas por 7 días'],
].map((lines) => Buffer.from(lines.join('\n')));

/** The documents read model with a changed handler: classifications are stored relabelled. */
const relabelled: Projection = {
  ...documentsProjection,
  handle: (event: DomainEvent, position) =>
    documentsProjection.handle(
      event.type === 'DocumentClassified'
        ? { ...event, data: { ...event.data, documentType: `v2:${event.data.documentType}` } }
        : event,
      position,
    ),
};

describe('rebuilding a read model beside the live one and swapping it in', () => {
  let env: TestEnvironment;
  let system: System;
  let api: ReturnType<typeof apiClient>;
  let owner: Pool;
  const documentIds: string[] = [];

  beforeAll(async () => {
    // The reads below run in a tight loop for the whole rebuild: no rate limit may answer them.
    env = await createTestEnvironment({ OCR_WORKERS: '1', RATE_LIMIT_MAX: '100000000' });
    system = await startSystem(env.config, createLogger('warn'));
    const { key } = await issueKey(env.config.database.url, TENANT);
    api = apiClient(system.url as string, TENANT, key);
    owner = createPool(env.config.database.url, 2);
    for (const [i, note] of NOTES.entries()) {
      documentIds.push((await api.upload(note, `nota-${i}.txt`)).documentId);
    }
    for (const id of documentIds) await classified(id);
  }, 180_000);
  afterAll(async () => {
    await owner?.end();
    await system?.stop();
    await env?.cleanup();
  });

  const classified = (id: string) =>
    eventually(async () => {
      const { status, body } = await api.document(id);
      expect(status).toBe(200);
      expect(body.status).toBe('classified');
      return body as { classification: { documentType: string } };
    }, 90_000);

  /** `npm run rebuild -- <args>` against this test's environment, with docstream running. */
  const rebuildCommand = (...args: string[]) =>
    runNpmScript('rebuild', args, { ...env.env, LOG_LEVEL: 'warn' });

  /** Reads every document, again and again, until stopped: the statuses it was answered with. */
  const keepReading = () => {
    let running = true;
    const statuses: number[] = [];
    const done = (async () => {
      while (running) {
        for (const id of documentIds) statuses.push((await api.document(id)).status);
        statuses.push((await api.get(`/documents?tenantId=${TENANT}`)).status);
      }
    })();
    return {
      stop: async () => {
        running = false;
        await done;
        return statuses;
      },
    };
  };

  const writeSideDigests = async () => {
    const { rows } = await owner.query<{ table: string }>(
      `SELECT tablename AS table FROM pg_tables WHERE schemaname = 'write_side' ORDER BY 1`,
    );
    return Promise.all(
      rows.map(async (r) => [r.table, await digestTable(owner, 'write_side', r.table)]),
    );
  };
  const tableOid = async (table: string) =>
    (await owner.query(`SELECT $1::regclass::oid AS oid`, [`public.${table}`])).rows[0]?.oid;

  it('knows which read model owns every read-model table', async () => {
    const { rows } = await owner.query<{ table: string }>(
      `SELECT tablename AS table FROM pg_tables WHERE schemaname = 'public'
         AND tablename NOT IN ('projection_checkpoints', 'event_log_identity', 'pgmigrations')`,
    );
    const owned = Object.values(READ_MODEL_TABLES).flat();
    expect(owned.length).toBe(new Set(owned).size);
    expect([...owned].sort()).toEqual(rows.map((r) => r.table).sort());
  });

  it('refuses a read model it does not know, and changes nothing', async () => {
    const before = await tableOid('documents');
    const refused = await rebuildCommand('documentz');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('no read model is called "documentz"');
    expect(refused.stdout).toBe('');
    expect(await tableOid('documents')).toBe(before);
  });

  it('swaps in an unchanged rebuild that compares equal, table by table', async () => {
    const writeSide = await writeSideDigests();
    const before = await tableOid('documents');
    const reads = keepReading();
    const run = await rebuildCommand('documents', '--require-equal');
    const statuses = await reads.stop();
    expect(run.code, run.stderr).toBe(0);

    const line = run.stdout.split('\n').find((l) => l.trim().startsWith('documents '));
    const [, liveRows, liveSum, shadowRows, shadowSum, verdict] = line?.trim().split(/\s+/) ?? [];
    expect(Number(liveRows)).toBe(NOTES.length);
    expect(shadowRows).toBe(liveRows);
    expect(liveSum).toMatch(/^[0-9a-f]{32}$/);
    expect(shadowSum).toBe(liveSum);
    expect(verdict).toBe('equal');
    expect(run.stdout).toMatch(/documents: folded \d+ events in [\d.]+ s: \d+ events\/s/);
    expect(run.stdout).toContain('swapped: shadow equals live');
    expect(run.stdout).toMatch(/raw kafkajs consume of .*: \d+ events in [\d.]+ s: \d+ events\/s/);

    // Another table under the same name, secured as the migrations secured the one it replaced.
    expect(await tableOid('documents')).not.toBe(before);
    const { rows: security } = await owner.query(
      `SELECT c.relrowsecurity AS rls,
              has_table_privilege($1, 'public.documents', 'SELECT, INSERT, UPDATE') AS granted,
              (SELECT count(*)::int FROM pg_policies
                WHERE schemaname = 'public' AND tablename = 'documents') AS policies,
              (SELECT count(*)::int FROM pg_indexes
                WHERE schemaname = 'public' AND indexname = 'documents_by_upload') AS named_index
       FROM pg_class c WHERE c.oid = 'public.documents'::regclass`,
      [env.config.database.appRole],
    );
    expect(security).toEqual([{ rls: true, granted: true, policies: 1, named_index: 1 }]);
    const app = createPool(env.config.database.appUrl, 1);
    try {
      const count = (tenant: string) =>
        withTenant(app, tenant, async (db) => {
          const { rows } = await db.query('SELECT count(*)::int AS n FROM documents');
          return rows[0]?.n;
        });
      expect(await count(TENANT)).toBe(NOTES.length);
      expect(await count('another-clinic')).toBe(0);
    } finally {
      await app.end();
    }
    const { rows: schemas } = await owner.query(
      `SELECT nspname FROM pg_namespace WHERE nspname LIKE 'rebuild_%'`,
    );
    expect(schemas).toEqual([]);
    expect(await writeSideDigests()).toEqual(writeSide);

    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  }, 240_000);

  /** The in-process API of the rebuild, as the command wires it, for a projection of the test's. */
  const rebuildInProcess = async (projection: Projection, requireEqual = false) => {
    const keyService: KeyService = await startKeyService(env.config, owner);
    const logger = createLogger('warn');
    const kafka = createKafka(env.config, logger);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const registry = createSchemaRegistry(env.config.registry.url, env.config.registry.auth);
      return await rebuildAndSwap(
        projection,
        {
          kafka,
          admin,
          databaseUrl: env.config.database.url,
          codec: createSealingCodec(registry, new Map(), keyService.encryption),
          topics: topicNames(env.config.topics.prefix),
          blobs: createFileBlobStore(env.config.blobs.dir, keyService.encryption),
          logger,
        },
        { requireEqual },
      );
    } finally {
      await admin.disconnect();
      await keyService.close();
    }
  };

  it('refuses a second rebuild of a read model while one runs, leaving its shadow alone', async () => {
    const running = await owner.connect();
    try {
      // What a running rebuild holds: the model's lock and its shadow schema.
      await running.query('SELECT pg_advisory_lock(hashtext($1))', ['docstream.rebuild.documents']);
      await running.query('CREATE SCHEMA rebuild_documents');
      await expect(rebuildInProcess(documentsProjection)).rejects.toMatchObject({
        code: 'REBUILD_RUNNING',
      });
      const { rows } = await owner.query(
        `SELECT nspname FROM pg_namespace WHERE nspname = 'rebuild_documents'`,
      );
      expect(rows).toEqual([{ nspname: 'rebuild_documents' }]);
    } finally {
      await running.query('DROP SCHEMA IF EXISTS rebuild_documents');
      await running.query('SELECT pg_advisory_unlock_all()');
      running.release();
    }
  });

  it('keeps the live read model when a rebuild that must equal it differs', async () => {
    const before = await tableOid('documents');
    const digest = await digestTable(owner, 'public', 'documents');
    await expect(rebuildInProcess(relabelled, true)).rejects.toMatchObject({
      code: 'REBUILD_DIFFERS',
      tables: [expect.objectContaining({ table: 'documents', equal: false })],
    });
    expect(await tableOid('documents')).toBe(before);
    expect(await digestTable(owner, 'public', 'documents')).toEqual(digest);
    const { rows: schemas } = await owner.query(
      `SELECT nspname FROM pg_namespace WHERE nspname LIKE 'rebuild_%'`,
    );
    expect(schemas).toEqual([]);
  }, 120_000);

  it('serves the rows of a changed handler after the swap, without a failed read meanwhile', async () => {
    const labels = await Promise.all(
      documentIds.map(async (id) => (await classified(id)).classification.documentType),
    );
    expect(labels.every((label) => !label.startsWith('v2:'))).toBe(true);
    const reads = keepReading();
    try {
      const result = await rebuildInProcess(relabelled);
      const statuses = await reads.stop();
      expect(statuses.length).toBeGreaterThan(0);
      expect(statuses.filter((s) => s !== 200)).toEqual([]);

      expect(result.swapped).toBe(true);
      expect(result.events).toBeGreaterThan(0);
      const [documents] = result.tables;
      expect(documents).toMatchObject({ table: 'documents', equal: false });
      expect(documents?.shadow.rows).toBe(documents?.live.rows);
      expect(documents?.shadow.checksum).not.toBe(documents?.live.checksum);
      // The live projection's checkpoints are the position the swapped-in tables were folded to.
      const live = await readPositions(owner, 'public', 'documents');
      for (const [partition, offset] of result.position) {
        expect(live.get(partition) ?? 0n).toBeGreaterThanOrEqual(offset);
      }

      const relabelledNow = await Promise.all(
        documentIds.map(async (id) => (await api.document(id)).body.classification.documentType),
      );
      expect(relabelledNow).toEqual(labels.map((label) => `v2:${label}`));
      const { body: list } = await api.get(`/documents?tenantId=${TENANT}`);
      const listed = (list.items as { classification: { documentType: string } | null }[]).map(
        (d) => d.classification?.documentType,
      );
      expect(listed).toHaveLength(documentIds.length);
      expect(listed.filter((type) => !type?.startsWith('v2:'))).toEqual([]);

      // The live projection goes on folding into the swapped-in table.
      const later = Buffer.from('RESULTADOS DE LABORATORIO\nColesterol total 250 mg/dL ALTO');
      const after = await api.upload(later, 'otra.txt');
      const folded = (await classified(after.documentId)).classification.documentType;
      expect(folded).not.toMatch(/^v2:/);
    } finally {
      await reads.stop();
    }
  }, 240_000);
});
