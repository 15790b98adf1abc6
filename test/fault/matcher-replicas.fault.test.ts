import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../../infra/kafka/client.ts';
import { readTopic } from '../../infra/kafka/read-topic.ts';
import { topicNames } from '../../infra/kafka/topics.ts';
import { createLogger } from '../../infra/logger.ts';
import { createPool } from '../../infra/postgres.ts';
import { tenantPartition } from '../../processors/match-patient/by-tenant.ts';
import type { DomainEvent } from '../../schemas/events.ts';
import { type System, startSystem } from '../../system/system.ts';
import { generateCorpus } from '../fixtures/corpus.ts';
import { textPdf } from '../fixtures/files.ts';
import { apiClient } from '../support/api-client.ts';
import { issueKey } from '../support/credentials.ts';
import { createTestEnvironment, eventually, type TestEnvironment } from '../support/environment.ts';
import { openingCodec } from '../support/opening-codec.ts';
import { type ProcessorsProcess, spawnProcessors } from '../support/processes.ts';

const PARTITIONS = 6;
const PERSONS_PER_TENANT = 4;
const DOCUMENTS_PER_PERSON = 4;
const DECISIONS = new Set(['PatientMatched', 'PatientMatchReviewRequired']);

/** Tenants whose requests land on every partition of the by-tenant topic, so each replica owns some. */
function tenantsOnEveryPartition(): string[] {
  const byPartition = new Map<number, string>();
  for (let i = 0; byPartition.size < PARTITIONS; i++) {
    const tenant = `clinic-scale-${i}`;
    const partition = tenantPartition(tenant, PARTITIONS);
    if (!byPartition.has(partition)) byPartition.set(partition, tenant);
  }
  return [...byPartition.values()];
}

/** Milliseconds of pino's `time` of each line of `output` logged with `msg`. */
const loggedAt = (output: string, msg: string) =>
  output
    .split('\n')
    .filter((line) => line.includes(`"msg":"${msg}"`))
    .map((line) => JSON.parse(line).time as number);

describe('three matcher replicas, one killed mid-stream', () => {
  let env: TestEnvironment;
  let system: System;
  const replicas: ProcessorsProcess[] = [];

  beforeAll(async () => {
    env = await createTestEnvironment({ TOPIC_PARTITIONS: String(PARTITIONS) });
    // The API, the read models and the rest of the chain run here; the matchers in three processes.
    system = await startSystem(
      {
        ...env.config,
        processors: {
          ...env.config.processors,
          run: ['validate', 'extract-text', 'classify', 'extract-entities'],
        },
      },
      createLogger('warn'),
    );
  });
  afterAll(async () => {
    for (const replica of replicas) replica.child.kill('SIGKILL');
    await system?.stop();
    await env?.cleanup();
  });

  it('gives each person one patient and each document one decision', async () => {
    for (let i = 0; i < 3; i++) {
      const replica = await spawnProcessors({
        ...env.env,
        PROCESSORS: 'match-patient',
        PROCESSOR_INSTANCE_ID: `matcher-${i}`,
      });
      replicas.push(replica);
    }
    await Promise.all(replicas.map((r) => r.started));

    const tenants = tenantsOnEveryPartition();
    const people = generateCorpus({ perTypeAndLanguage: PERSONS_PER_TENANT * tenants.length })
      .filter((d) => d.language === 'spa' && d.documentType === 'lab-result')
      .slice(0, PERSONS_PER_TENANT * tenants.length);
    expect(people).toHaveLength(PERSONS_PER_TENANT * tenants.length);
    const clients = await Promise.all(
      tenants.map(async (tenant) => {
        const { key } = await issueKey(env.config.database.url, tenant);
        return apiClient(system.url as string, tenant, key);
      }),
    );
    const total = people.length * DOCUMENTS_PER_PERSON;
    const pool = createPool(env.config.database.url, 1);
    const decided = async () =>
      (await pool.query('SELECT count(*)::int AS n FROM documents WHERE match_status IS NOT NULL'))
        .rows[0].n as number;

    // Each tenant's people one after another, every visit of a person close to the last.
    const ids: string[] = [];
    const uploads = Promise.all(
      clients.map(async (api, t) => {
        for (let p = 0; p < PERSONS_PER_TENANT; p++) {
          const person = people[t * PERSONS_PER_TENANT + p]!;
          for (let visit = 0; visit < DOCUMENTS_PER_PERSON; visit++) {
            const pdf = await textPdf([...person.lines, `Folio ${t}-${p}-${visit}`]);
            ids.push((await api.upload(pdf, `visit-${visit}.pdf`)).documentId);
          }
        }
      }),
    );

    await eventually(
      async () => expect(await decided()).toBeGreaterThanOrEqual(total / 4),
      120_000,
    );
    const victim = replicas[1] as ProcessorsProcess;
    const killedAt = Date.now();
    // The work was shared: every replica had taken tenants before one was killed.
    for (const replica of replicas) {
      expect(loggedAt(replica.output(), 'tenants taken over').length).toBeGreaterThan(0);
    }
    victim.child.kill('SIGKILL');
    expect(await victim.exited).toBeNull();
    const before = await decided();

    await uploads;
    await eventually(async () => expect(await decided()).toBe(total), 180_000);
    await pool.end();

    const kafka = createKafka(env.config, createLogger('silent'));
    const admin = kafka.admin();
    await admin.connect();
    const topics = topicNames(env.config.topics.prefix);
    // The subjects' identifiers are sealed in the log: read with the environment's keys.
    const { codec, close } = await openingCodec(env.config);
    const decode = async (topic: string) =>
      Promise.all(
        (await readTopic(kafka, admin, topic)).map((m) => codec.decode(m.value as Buffer)),
      );
    const documentEvents = await decode(topics.events.document);
    const patientEvents = await decode(topics.events.patient);
    await close();
    await admin.disconnect();

    const decisions = new Map<string, DomainEvent[]>();
    for (const event of documentEvents.filter((e) => DECISIONS.has(e.type))) {
      const id = event.metadata.aggregateId;
      decisions.set(id, [...(decisions.get(id) ?? []), event]);
    }
    for (const id of ids) expect(decisions.get(id)?.length, id).toBe(1);

    // One person is one record number at one facility of one tenant: registered once.
    const registered = patientEvents.flatMap((e) =>
      e.type === 'PatientRegistered'
        ? [`${e.metadata.tenantId} ${e.data.subject.identifiers.map((i) => i.value).join(',')}`]
        : [],
    );
    expect(new Set(registered).size).toBe(registered.length);
    expect(registered).toHaveLength(people.length);

    const survivors = replicas.filter((r) => r !== victim);
    const takenOver = survivors.flatMap((r) =>
      loggedAt(r.output(), 'tenants taken over').filter((t) => t > killedAt),
    );
    expect(takenOver.length).toBeGreaterThan(0);
    const takeoverMs = Math.max(...takenOver) - killedAt;
    console.log(
      `${tenants.length} tenants, ${people.length} people, ${total} documents over 3 matcher replicas; ` +
        `one killed -9 with ${before}/${total} decided; its tenants taken over in ${(takeoverMs / 1000).toFixed(1)} s; ` +
        `${registered.length} patients registered, none twice; every document decided once`,
    );
  }, 420_000);
});
