import { randomUUID } from 'node:crypto';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventProducer, createKafka } from '../../infra/kafka/client.ts';
import { createEventLog, type EventLog } from '../../infra/kafka/event-log.ts';
import { readTopic } from '../../infra/kafka/read-topic.ts';
import { type TopicNames, topicNames } from '../../infra/kafka/topics.ts';
import { createLogger } from '../../infra/logger.ts';
import type { AuditRecordView } from '../../projections/audit/queries.ts';
import type { EventCodec } from '../../schemas/codec.ts';
import { type System, startSystem } from '../../system/system.ts';
import { apiClient } from '../support/api-client.ts';
import { issueKey } from '../support/credentials.ts';
import { createTestEnvironment, eventually, type TestEnvironment } from '../support/environment.ts';
import {
  documentUploaded,
  matchingOf,
  patientRegistered,
  patientSubject,
} from '../support/events.ts';
import { plainCodec } from '../support/opening-codec.ts';

const TENANT = 'clinic-audit';
const SURNAME = 'ZUBIZARRETA';

describe('every read of patient data is audited', () => {
  let env: TestEnvironment;
  let system: System;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let codec: EventCodec;
  let topics: TopicNames;
  let eventLog: EventLog;
  let reader: ReturnType<typeof apiClient>;
  let readerActor: string;
  let auditor: ReturnType<typeof apiClient>;
  const documentId = randomUUID();
  const patientId = randomUUID();

  const audit = async (query: string) => {
    const { status, body } = await auditor.get(`/audit?${query}`);
    expect(status).toBe(200);
    return body as { items: AuditRecordView[]; nextCursor: string | null };
  };

  beforeAll(async () => {
    env = await createTestEnvironment({ RATE_LIMIT_MAX: '5000' });
    const logger = createLogger('warn');
    system = await startSystem(
      { ...env.config, processors: { ...env.config.processors, run: [] } },
      logger,
    );
    topics = topicNames(env.config.topics.prefix);
    codec = await plainCodec(env.config);
    kafka = createKafka(env.config, logger);
    admin = kafka.admin();
    await admin.connect();
    producer = createEventProducer(kafka);
    await producer.connect();
    eventLog = createEventLog(producer, codec, topics);

    // A document of a patient whose name is in the file name, the export name and the index.
    const meta = { tenantId: TENANT, aggregateId: documentId };
    const upload = documentUploaded({
      metadata: meta,
      data: {
        fileName: `4471_${SURNAME} ORMAETXEA, IKER_12_LAB.pdf`,
        exportName: {
          recordNumber: '4471',
          patientName: `${SURNAME} ORMAETXEA, IKER`,
          episode: '12',
          typeCode: 'LAB',
          documentType: 'lab-result',
        },
      },
    });
    const subject = patientSubject({
      name: `IKER ${SURNAME} ORMAETXEA`,
      surnames: `${SURNAME} ORMAETXEA`,
      givenNames: 'IKER',
    });
    for (const event of [
      upload,
      patientRegistered(patientId, { subject, documentId }, { tenantId: TENANT }),
      matchingOf(upload).patientMatched(patientId),
    ]) {
      await eventLog.append(event);
    }

    const readerKey = await issueKey(env.config.database.url, TENANT, ['reader']);
    readerActor = `key:${readerKey.id}`;
    reader = apiClient(system.url as string, TENANT, readerKey.key);
    const auditorKey = await issueKey(env.config.database.url, TENANT, ['auditor']);
    auditor = apiClient(system.url as string, TENANT, auditorKey.key);
  });
  afterAll(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
    await system?.stop();
    await env?.cleanup();
  });

  it('records who read a document and a patient, found by document, patient and principal', async () => {
    await eventually(async () => {
      const { status, body } = await reader.document(documentId);
      expect(status).toBe(200);
      expect(body.patientMatch?.patientId).toBe(patientId);
    });
    await eventually(async () => {
      const { status, body } = await reader.get(`/patients/${patientId}`);
      expect(status).toBe(200);
      expect(body.documents.map((d: { id: string }) => d.id)).toContain(documentId);
    });

    const byDocument = await eventually(async () => {
      const { items } = await audit(`documentId=${documentId}`);
      expect(items.map((i) => i.route)).toEqual(
        expect.arrayContaining(['/documents/:id', '/patients/:id']),
      );
      return items;
    });
    expect(byDocument.every((i) => i.documentIds.includes(documentId))).toBe(true);
    expect(byDocument.find((i) => i.route === '/documents/:id' && i.status === 200)).toMatchObject({
      principal: readerActor,
      method: 'GET',
      documentIds: [documentId],
      patientIds: [patientId],
      resultCount: 1,
    });
    expect(byDocument.find((i) => i.route === '/patients/:id' && i.status === 200)).toMatchObject({
      principal: readerActor,
      documentIds: [documentId],
      patientIds: [patientId],
    });

    const byPrincipal = await audit(`principal=${encodeURIComponent(readerActor)}`);
    expect(byPrincipal.items.length).toBeGreaterThanOrEqual(2);
    expect(new Set(byPrincipal.items.map((i) => i.principal))).toEqual(new Set([readerActor]));
    const byPatient = await audit(`patientId=${patientId}`);
    expect(byPatient.items.map((i) => i.route)).toContain('/patients/:id');

    // Newest first, one page at a time, each record once.
    const first = await audit(`principal=${encodeURIComponent(readerActor)}&limit=1`);
    expect(first.nextCursor).not.toBeNull();
    const second = await audit(
      `principal=${encodeURIComponent(readerActor)}&limit=1&cursor=${first.nextCursor}`,
    );
    expect(second.items[0]?.eventId).toBe(byPrincipal.items[1]?.eventId);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await audit(`principal=${readerActor}&from=${future}`)).items).toEqual([]);
    const past = new Date(Date.now() - 3_600_000).toISOString();
    expect((await audit(`principal=${readerActor}&to=${past}`)).items).toEqual([]);
  });

  it('puts ids on the audit log, keyed by the tenant, never the patient data itself', async () => {
    const events = await eventually(async () => {
      const messages = await readTopic(kafka, admin, topics.events.audit);
      const decoded = await Promise.all(
        messages.map(async (m) => ({ key: m.key, event: await codec.decode(m.value as Buffer) })),
      );
      const reads = decoded.filter(
        ({ event }) =>
          event.type === 'PatientDataRead' && event.data.documentIds.includes(documentId),
      );
      expect(reads.length).toBeGreaterThan(0);
      return decoded;
    });
    expect(new Set(events.map((e) => e.key))).toEqual(new Set([TENANT]));
    const json = JSON.stringify(events.map((e) => e.event));
    expect(json).toContain(documentId);
    expect(json.match(new RegExp(SURNAME, 'gi')) ?? []).toHaveLength(0);
    expect(json).not.toMatch(/IKER/i);
  });

  it('answers 403 to a reader asking for the audit, and records only reads', async () => {
    const { status, body } = await reader.get('/audit');
    expect(status).toBe(403);
    expect(body.code).toBe('ROLE_NOT_ALLOWED');
    const { items } = await audit('limit=200');
    expect(items.some((i) => i.route === '/audit')).toBe(false);
  });
});
