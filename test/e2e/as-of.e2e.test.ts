import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventProducer, createKafka } from '../../infra/kafka/client.ts';
import { createEventLog } from '../../infra/kafka/event-log.ts';
import { topicNames } from '../../infra/kafka/topics.ts';
import { createLogger } from '../../infra/logger.ts';
import versions from '../../processors/versions.json' with { type: 'json' };
import { type System, startSystem } from '../../system/system.ts';
import { generateCorpus } from '../fixtures/corpus.ts';
import { textPdf } from '../fixtures/files.ts';
import { apiClient } from '../support/api-client.ts';
import { issueKey } from '../support/credentials.ts';
import { createTestEnvironment, eventually, type TestEnvironment } from '../support/environment.ts';
import { patientRegistered, patientSubject } from '../support/events.ts';
import { plainCodec } from '../support/opening-codec.ts';

const TENANT = 'clinic-as-of';
const [lab] = generateCorpus({ perTypeAndLanguage: 1 }).filter((d) => d.language === 'spa');

interface HistoryEvent {
  type: string;
  occurredAt: string;
  principal: string | null;
  processor: { name: string; version: string } | null;
  position: { offset: string };
}

describe('as-of reads and attributed history, end to end', () => {
  let env: TestEnvironment;
  let system: System;
  let producer: Producer;
  let api: ReturnType<typeof apiClient>;
  let otherTenant: ReturnType<typeof apiClient>;
  let keyId: string;
  let appendPatient: (patientId: string) => Promise<void>;

  const asOf = (path: string, at: string) =>
    api.get(`${path}?tenantId=${TENANT}&asOf=${encodeURIComponent(at)}`);

  beforeAll(async () => {
    env = await createTestEnvironment({ OCR_WORKERS: '1' });
    const logger = createLogger('warn');
    system = await startSystem(env.config, logger);
    const topics = topicNames(env.config.topics.prefix);
    const codec = await plainCodec(env.config);
    producer = createEventProducer(createKafka(env.config, logger));
    await producer.connect();
    const eventLog = createEventLog(producer, codec, topics);
    appendPatient = async (patientId) => {
      const subject = patientSubject({ name: 'MARTA RUIZ', dateOfBirth: '1950-01-02' });
      await eventLog.append(patientRegistered(patientId, { subject }, { tenantId: TENANT }));
    };
    const issued = await issueKey(env.config.database.url, TENANT);
    keyId = issued.id;
    api = apiClient(system.url as string, TENANT, issued.key);
    const other = await issueKey(env.config.database.url, 'other-clinic');
    otherTenant = apiClient(system.url as string, 'other-clinic', other.key);
  });
  afterAll(async () => {
    await producer?.disconnect();
    await system?.stop();
    await env?.cleanup();
  });

  it('answers what was known between two events, before a merge, and who wrote each event', async () => {
    if (!lab) throw new Error('no Spanish lab report in the corpus');
    const upload = await api.upload(await textPdf(lab.lines), 'resultados.pdf');
    const id = upload.documentId;
    const decided = await eventually(async () => {
      const { body } = await api.document(id);
      expect(body.status).toBe('classified');
      expect(body.patientMatch?.patientId).toEqual(expect.any(String));
      return body;
    }, 120_000);
    const patientId = decided.patientMatch.patientId as string;

    const history = await eventually(async () => {
      const { body } = await api.history(id);
      const types = body.events.map((e: HistoryEvent) => e.type);
      expect(types).toEqual(expect.arrayContaining(['DocumentClassified', 'PatientMatched']));
      return body.events as HistoryEvent[];
    }, 30_000);
    const at = (type: string) => history.find((e) => e.type === type)?.occurredAt ?? '';

    // History: in log order, each event marked with its principal or its processor's version.
    const offsets = history.map((e) => BigInt(e.position.offset));
    expect(offsets).toEqual([...offsets].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(history[0]).toMatchObject({ type: 'DocumentUploaded', processor: null });
    expect(history[0]?.principal).toMatch(new RegExp(`:${keyId}$`));
    const manifest = versions as Record<string, { version: string }>;
    for (const event of history.slice(1)) {
      expect(event.principal).toBeNull();
      expect(event.processor?.version).toBe(manifest[event.processor?.name ?? '']?.version);
    }
    expect(history.find((e) => e.type === 'DocumentClassified')?.processor?.name).toBe('classify');

    // Between text extraction and classification: the earlier state, no patient yet.
    const textAt = at('TextExtracted');
    expect(Date.parse(at('DocumentClassified'))).toBeGreaterThan(Date.parse(textAt));
    const { status, body: then } = await asOf(`/documents/${id}`, textAt);
    expect(status).toBe(200);
    expect(then).toMatchObject({
      id,
      asOf: textAt,
      status: 'text-extracted',
      classification: null,
      patientMatch: null,
      updatedAt: textAt,
    });
    expect((await asOf(`/documents/${id}`, at('DocumentUploaded'))).body).toMatchObject({
      status: 'uploaded',
      text: null,
    });
    const beforeUpload = new Date(Date.parse(at('DocumentUploaded')) - 1).toISOString();
    expect((await asOf(`/documents/${id}`, beforeUpload)).status).toBe(404);

    // Now: the fold of every event equals the live read.
    const { body: nowRead } = await asOf(`/documents/${id}`, new Date().toISOString());
    const { asOf: _asked, ...folded } = nowRead;
    expect(folded).toEqual((await api.document(id)).body);

    // Entities: none read yet between text extraction and classification; all of them now.
    expect((await asOf(`/documents/${id}/entities`, textAt)).body).toMatchObject({
      documentId: id,
      entities: null,
      asOf: textAt,
    });
    const liveEntities = (await api.get(`/documents/${id}/entities?tenantId=${TENANT}`)).body;
    expect(liveEntities.entities).not.toBeNull();
    const { body: entitiesNow } = await asOf(`/documents/${id}/entities`, new Date().toISOString());
    const { asOf: _e, ...foldedEntities } = entitiesNow;
    expect(foldedEntities).toEqual(liveEntities);

    // A merge after `beforeMerge`: the document's patient is merged into another.
    const survivorId = randomUUID();
    await appendPatient(survivorId);
    await eventually(async () => {
      expect((await api.get(`/patients/${survivorId}?tenantId=${TENANT}`)).status).toBe(200);
    });
    const beforeMerge = new Date().toISOString();
    await eventually(() => expect(Date.now()).toBeGreaterThan(Date.parse(beforeMerge)));
    const merge = await api.post(`/patients/${survivorId}/merge`, {
      mergedId: patientId,
      reason: 'same person',
    });
    expect(merge.status).toBe(202);
    const token = merge.body.position.token as string;
    const live = await api.get(`/patients/${patientId}?tenantId=${TENANT}&minPosition=${token}`);
    expect(live.body).toMatchObject({ id: survivorId, mergedInto: survivorId });
    expect((await api.document(id)).body.patientMatch.patientId).toBe(survivorId);

    const patientThen = await asOf(`/patients/${patientId}`, beforeMerge);
    expect(patientThen.body).toMatchObject({ id: patientId, mergedInto: null, mergedIds: [] });
    expect(patientThen.body.documents.map((d: { id: string }) => d.id)).toEqual([id]);
    const survivorThen = await asOf(`/patients/${survivorId}`, beforeMerge);
    expect(survivorThen.body).toMatchObject({ id: survivorId, mergedIds: [], documents: [] });
    expect((await asOf(`/documents/${id}`, beforeMerge)).body.patientMatch.patientId).toBe(
      patientId,
    );

    const afterMerge = new Date().toISOString();
    const patientNow = await asOf(`/patients/${patientId}`, afterMerge);
    expect(patientNow.body).toMatchObject({ id: survivorId, mergedIds: [patientId] });
    const { asOf: _a, ...patientFolded } = patientNow.body;
    expect(patientFolded).toEqual(live.body);
    expect((await asOf(`/documents/${id}`, afterMerge)).body.patientMatch.patientId).toBe(
      survivorId,
    );
  });

  it('holds as-of reads to the tenant and refuses a time still to come or not a time', async () => {
    const { documentId } = await api.upload(await textPdf(['Nota breve']), 'nota.pdf');
    await eventually(async () => expect((await api.history(documentId)).status).toBe(200));
    const now = new Date().toISOString();
    expect((await asOf(`/documents/${documentId}`, now)).status).toBe(200);
    const foreign = await otherTenant.get(
      `/documents/${documentId}?tenantId=other-clinic&asOf=${encodeURIComponent(now)}`,
    );
    expect(foreign).toMatchObject({ status: 404, body: { code: 'DOCUMENT_NOT_FOUND' } });
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect(await asOf(`/documents/${documentId}`, future)).toMatchObject({
      status: 400,
      body: { code: 'AS_OF_IN_FUTURE' },
    });
    expect((await asOf(`/patients/${randomUUID()}`, future)).body.code).toBe('AS_OF_IN_FUTURE');
    expect((await asOf(`/documents/${documentId}`, 'yesterday')).status).toBe(400);
    expect((await asOf(`/patients/${randomUUID()}`, now)).status).toBe(404);
  });
});
