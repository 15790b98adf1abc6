import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../../infra/kafka/client.ts';
import { HEADERS } from '../../infra/kafka/event-log.ts';
import { readTopic } from '../../infra/kafka/read-topic.ts';
import { topicNames } from '../../infra/kafka/topics.ts';
import { createLogger } from '../../infra/logger.ts';
import { createPool } from '../../infra/postgres.ts';
import { PROCESSOR_NAMES } from '../../processors/start.ts';
import { TERMINAL_STATUSES } from '../../projections/documents/projection.ts';
import type { DomainEvent } from '../../schemas/events.ts';
import { type System, startSystem } from '../../system/system.ts';
import { textPdf } from '../fixtures/files.ts';
import { apiClient } from '../support/api-client.ts';
import { issueKey } from '../support/credentials.ts';
import { createTestEnvironment, eventually, type TestEnvironment } from '../support/environment.ts';
import { plainCodec } from '../support/opening-codec.ts';
import { type ProcessorsProcess, spawnProcessors } from '../support/processes.ts';

const DOCUMENTS = 120;
const TERMINAL = new Set(['DocumentClassified', 'DocumentRejected', 'DocumentProcessingFailed']);
const DECISIONS = new Set(['PatientMatched', 'PatientMatchReviewRequired']);
/** A document's log, less its patient decision, in the order the chain's steps emit it. */
const CHAIN = [
  'DocumentUploaded',
  'DocumentValidated',
  'TextExtracted',
  'DocumentClassified',
  'EntitiesExtracted',
  'QualityAssessed',
];

describe('a processor process killed mid-stream', () => {
  let env: TestEnvironment;
  let system: System;
  let processors: ProcessorsProcess | undefined;

  beforeAll(async () => {
    // The API and read models run here; the processors in a child process we can kill. A stable
    // instance id lets the restarted process fence the dead one's open transactions at once.
    env = await createTestEnvironment({ PROCESSOR_INSTANCE_ID: 'crash-test' });
    system = await startSystem(
      { ...env.config, processors: { ...env.config.processors, run: [] } },
      createLogger('warn'),
    );
  });
  afterAll(async () => {
    processors?.child.kill('SIGKILL');
    await system?.stop();
    await env?.cleanup();
  });

  it('brings every document to exactly one terminal state after SIGKILL and restart', async () => {
    const { key } = await issueKey(env.config.database.url, 'clinic-crash');
    const api = apiClient(system.url as string, 'clinic-crash', key);
    const pool = createPool(env.config.database.url, 1);
    // Done: classified and given a patient decision, or stopped by the chain.
    const terminalCount = async () =>
      (
        await pool.query(
          `SELECT count(*)::int AS n FROM documents
           WHERE (status = 'classified' AND match_status IS NOT NULL) OR status = ANY($1)`,
          [TERMINAL_STATUSES.filter((s) => s !== 'classified')],
        )
      ).rows[0].n as number;

    processors = await spawnProcessors(env.env);
    await processors.started;
    // Uploads keep flowing while the processors die and come back.
    const ids: string[] = [];
    const uploads = (async () => {
      for (let i = 0; i < DOCUMENTS; i++) {
        const kind = i % 2 === 0 ? 'RESULTADOS DE LABORATORIO' : 'RECETA MEDICA';
        const pdf = await textPdf([
          `${kind} ${i}`,
          'Paciente: Ana Perez Lopez',
          `Folio ${1000 + i}`,
        ]);
        ids.push((await api.upload(pdf, `doc-${i}.pdf`)).documentId);
      }
    })();
    const before = await eventually(async () => {
      const n = await terminalCount();
      expect(n).toBeGreaterThanOrEqual(5);
      return n;
    }, 60_000);
    processors.child.kill('SIGKILL');
    expect(await processors.exited).toBeNull();
    expect(before).toBeLessThan(DOCUMENTS);

    processors = await spawnProcessors(env.env);
    await processors.started;
    await uploads;
    await eventually(async () => expect(await terminalCount()).toBe(DOCUMENTS), 90_000);
    await pool.end();

    const kafka = createKafka(env.config, createLogger('silent'));
    const admin = kafka.admin();
    await admin.connect();
    const topics = topicNames(env.config.topics.prefix);
    const codec = await plainCodec(env.config);
    const messages = await readTopic(kafka, admin, topics.events.document);
    const registered = (await readTopic(kafka, admin, topics.events.patient)).filter(
      (m) => m.headers[HEADERS.eventType] === 'PatientRegistered',
    ).length;
    await admin.disconnect();
    const byDocument = new Map<string, DomainEvent[]>();
    for (const m of messages) {
      const event = await codec.decode(m.value as Buffer);
      byDocument.set(event.metadata.aggregateId, [
        ...(byDocument.get(event.metadata.aggregateId) ?? []),
        event,
      ]);
    }
    for (const id of ids) {
      const types = (byDocument.get(id) ?? []).map((e) => e.type);
      expect(
        types.filter((t) => TERMINAL.has(t)),
        id,
      ).toHaveLength(1);
      expect(
        types.filter((t) => DECISIONS.has(t)),
        id,
      ).toHaveLength(1);
      // classify and extract-entities both follow TextExtracted, so their order varies.
      expect(types.filter((t) => !DECISIONS.has(t)).sort(), id).toEqual([...CHAIN].sort());
    }
    const matchedAsNew = [...byDocument.values()]
      .flat()
      .filter((e) => e.type === 'PatientMatched' && e.data.method === 'registered').length;
    expect(registered).toBe(matchedAsNew);
    console.log(
      `killed with ${before}/${DOCUMENTS} documents done; after restart ${DOCUMENTS}/${DOCUMENTS}, each with one terminal event and one patient decision; ${registered} patients registered`,
    );
  }, 240_000);

  it('stops gracefully on SIGTERM: finishes, commits and leaves its consumer groups', async () => {
    const running = processors as ProcessorsProcess;
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
    expect(running.output()).toContain('"processor stopped"');
    const kafka = createKafka(env.config, createLogger('silent'));
    const admin = kafka.admin();
    await admin.connect();
    const topics = topicNames(env.config.topics.prefix);
    const { groups } = await admin.describeGroups(
      PROCESSOR_NAMES.map((name) => topics.consumerGroup(name)),
    );
    await admin.disconnect();
    expect(groups.map((g) => [g.groupId, g.state, g.members.length])).toEqual(
      groups.map((g) => [g.groupId, 'Empty', 0]),
    );
    processors = undefined;
  }, 240_000);
});
