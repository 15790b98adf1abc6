import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../../infra/kafka/client.ts';
import { HEADERS } from '../../infra/kafka/event-log.ts';
import { readTopic } from '../../infra/kafka/read-topic.ts';
import { type TopicNames, topicNames } from '../../infra/kafka/topics.ts';
import { createLogger } from '../../infra/logger.ts';
import { TERMINAL_STATUSES } from '../../projections/documents/projection.ts';
import type { EventCodec } from '../../schemas/codec.ts';
import type { DomainEvent } from '../../schemas/events.ts';
import { type System, startSystem } from '../../system/system.ts';
import { truncatedPdf } from '../fixtures/pdfs.ts';
import { apiClient } from '../support/api-client.ts';
import { bearer, issueKey } from '../support/credentials.ts';
import { createTestEnvironment, eventually, type TestEnvironment } from '../support/environment.ts';
import { plainCodec } from '../support/opening-codec.ts';

const TENANT = 'clinic-retention';
const OTHER_TENANT = 'clinic-retention-other';
const WORD = 'Zarzaparrilla';
const SECOND_HOURS = 1 / 3600;

describe('retention and the trash', () => {
  let env: TestEnvironment;
  let system: System;
  let url: string;
  let kafka: Kafka;
  let admin: Admin;
  let codec: EventCodec;
  let topics: TopicNames;
  let adminKey: string;
  let uploaderKey: string;
  let readerKey: string;
  let otherKey: string;
  let auditorKey: string;
  let api: ReturnType<typeof apiClient>;

  const call = async (method: string, route: string, key: string, body?: object) => {
    const response = await fetch(`${url}${route}`, {
      method,
      headers: { ...bearer(key), ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: await response.json() };
  };
  const note = (text: string) => Buffer.from(`Nota de evolucion.\n${text}\n`);
  const terminal = (id: string) =>
    eventually(async () => {
      const { body } = await api.document(id);
      expect(TERMINAL_STATUSES).toContain(body.status);
      return body;
    }, 60_000);
  /** The document log's events of `types`, decoded; others are skipped by their header. */
  const logged = async (types: readonly string[]) => {
    const messages = await readTopic(kafka, admin, topics.events.document);
    const wanted = messages.filter((m) => types.includes(m.headers[HEADERS.eventType] ?? ''));
    return Promise.all(wanted.map((m) => codec.decode(m.value as Buffer)));
  };
  const erasureOf = async (documentId: string) =>
    (await logged(['DocumentErased'])).find(
      (e): e is Extract<DomainEvent, { type: 'DocumentErased' }> =>
        e.type === 'DocumentErased' && e.metadata.aggregateId === documentId,
    );

  beforeAll(async () => {
    env = await createTestEnvironment({ RATE_LIMIT_MAX: '5000', RETENTION_INTERVAL_MS: '200' });
    const logger = createLogger('warn');
    system = await startSystem(env.config, logger);
    url = system.url as string;
    topics = topicNames(env.config.topics.prefix);
    codec = await plainCodec(env.config);
    kafka = createKafka(env.config, logger);
    admin = kafka.admin();
    await admin.connect();
    const db = env.config.database.url;
    adminKey = (await issueKey(db, TENANT, ['admin', 'reader'])).key;
    uploaderKey = (await issueKey(db, TENANT, ['uploader', 'reader'])).key;
    readerKey = (await issueKey(db, TENANT, ['reader'])).key;
    otherKey = (await issueKey(db, OTHER_TENANT)).key;
    auditorKey = (await issueKey(db, TENANT, ['auditor'])).key;
    api = apiClient(url, TENANT, uploaderKey);
  });
  afterAll(async () => {
    await admin?.disconnect();
    await system?.stop();
    await env?.cleanup();
  });

  it('lets admins alone read and set the policy, and records each change on the audit log', async () => {
    expect(await call('GET', '/retention', adminKey)).toEqual({
      status: 200,
      body: {
        documentsMaxAgeDays: null,
        rejectedMaxAgeDays: null,
        trashDelayHours: null,
        effectiveTrashDelayHours: 720,
      },
    });
    const set = await call('PUT', '/retention', adminKey, { trashDelayHours: 1 });
    expect(set).toEqual({
      status: 200,
      body: {
        documentsMaxAgeDays: null,
        rejectedMaxAgeDays: null,
        trashDelayHours: 1,
        effectiveTrashDelayHours: 1,
      },
    });
    expect((await call('PUT', '/retention', uploaderKey, { trashDelayHours: 0 })).status).toBe(403);
    expect((await call('GET', '/retention', readerKey)).status).toBe(403);
    expect((await call('PUT', '/retention', adminKey, { rejectedMaxAgeDays: 0 })).status).toBe(400);
    // Another tenant's policy is its own.
    expect((await call('GET', '/retention', otherKey)).body.trashDelayHours).toBeNull();

    const changes = await eventually(async () => {
      const messages = await readTopic(kafka, admin, topics.events.audit);
      const decoded = await Promise.all(
        messages
          .filter((m) => m.headers[HEADERS.eventType] === 'RetentionPolicyChanged')
          .map(async (m) => ({ key: m.key, event: await codec.decode(m.value as Buffer) })),
      );
      expect(decoded).toHaveLength(1);
      return decoded;
    });
    expect(changes[0]).toMatchObject({
      key: TENANT,
      event: { type: 'RetentionPolicyChanged', data: { trashDelayHours: 1 } },
    });
    await eventually(async () => {
      const { body } = await call('GET', '/audit', auditorKey);
      expect(body.items).toEqual([
        expect.objectContaining({
          route: '/retention',
          method: 'PUT',
          reason: 'documentsMaxAgeDays=none rejectedMaxAgeDays=none trashDelayHours=1',
        }),
      ]);
    });
  });

  it('hides a trashed document, restores it, and erases it through the erasure path once the delay has passed', async () => {
    const { documentId } = await api.upload(note(`Paciente con ${WORD} en la dieta.`), 'nota.txt');
    await terminal(documentId);
    await eventually(async () => {
      expect(
        (await api.search(WORD)).body.items.map((i: { documentId: string }) => i.documentId),
      ).toEqual([documentId]);
    });

    const reason = encodeURIComponent('sent to the wrong clinic');
    const trashed = await call('DELETE', `/documents/${documentId}?reason=${reason}`, uploaderKey);
    expect(trashed).toMatchObject({ status: 200, body: { documentId, trashed: true } });
    const token = trashed.body.position.token;
    expect((await api.get(`/documents/${documentId}?minPosition=${token}`)).body.code).toBe(
      'DOCUMENT_TRASHED',
    );
    expect((await api.get(`/documents/${documentId}`)).status).toBe(404);
    expect((await api.get('/documents')).body.items).toEqual([]);
    expect((await api.search(WORD)).body.items).toEqual([]);
    expect((await api.text(documentId)).status).toBe(404);
    const { body: bin } = await api.get('/trash');
    expect(bin.items).toEqual([
      expect.objectContaining({ id: documentId, fileName: 'nota.txt', status: 'classified' }),
    ]);
    const [item] = bin.items;
    expect(Date.parse(item.erasableFrom) - Date.parse(item.trashedAt)).toBe(3_600_000);
    expect((await call('GET', '/trash', readerKey)).status).toBe(403);

    expect(await call('DELETE', `/documents/${documentId}`, uploaderKey)).toMatchObject({
      status: 409,
      body: { code: 'DOCUMENT_ALREADY_TRASHED' },
    });
    expect((await call('DELETE', `/documents/${documentId}`, readerKey)).status).toBe(403);
    expect(await call('DELETE', `/documents/${documentId}`, otherKey)).toMatchObject({
      status: 404,
      body: { code: 'DOCUMENT_NOT_FOUND' },
    });
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await call('POST', `/documents/${unknown}/restore`, adminKey)).status).toBe(404);

    const restored = await call('POST', `/documents/${documentId}/restore`, adminKey);
    expect(restored).toMatchObject({ status: 200, body: { documentId, trashed: false } });
    const read = await api.get(
      `/documents/${documentId}?minPosition=${restored.body.position.token}`,
    );
    expect(read).toMatchObject({ status: 200, body: { id: documentId, status: 'classified' } });
    expect((await api.search(WORD)).body.items).toHaveLength(1);
    expect(await call('POST', `/documents/${documentId}/restore`, adminKey)).toMatchObject({
      status: 409,
      body: { code: 'DOCUMENT_NOT_TRASHED' },
    });

    // Trashed again, under a delay of an hour: nothing is erased yet.
    expect((await call('DELETE', `/documents/${documentId}`, uploaderKey)).status).toBe(200);
    expect(await erasureOf(documentId)).toBeUndefined();
    // The delay shortened to a second: the next passes erase it.
    await call('PUT', '/retention', adminKey, { trashDelayHours: SECOND_HOURS });
    const erased = await eventually(async () => {
      const event = await erasureOf(documentId);
      expect(event).toBeDefined();
      return event;
    }, 30_000);
    expect(erased).toMatchObject({
      metadata: { tenantId: TENANT, actor: 'system:retention' },
      data: {
        principal: 'system:retention',
        reason: expect.stringMatching(/^retention: in the trash past its delay/),
      },
    });
    await eventually(async () => {
      const { status, body } = await api.document(documentId);
      expect(status).toBe(404);
      expect(body.code).not.toBe('DOCUMENT_TRASHED');
    });
    expect((await call('POST', `/documents/${documentId}/restore`, adminKey)).status).toBe(404);
    const trail = await logged(['DocumentTrashed', 'DocumentRestored', 'DocumentErased']);
    expect(trail.filter((e) => e.metadata.aggregateId === documentId).map((e) => e.type)).toEqual([
      'DocumentTrashed',
      'DocumentRestored',
      'DocumentTrashed',
      'DocumentErased',
    ]);
    expect(trail.find((e) => e.metadata.aggregateId === documentId)).toMatchObject({
      type: 'DocumentTrashed',
      data: { reason: 'sent to the wrong clinic', principal: expect.stringMatching(/^key:/) },
    });

    // The audit trail: each deletion and restore, and the erasure with who and why.
    const audited = await eventually(async () => {
      const { body } = await call('GET', `/audit?documentId=${documentId}`, auditorKey);
      const commands = body.items.filter((i: { method: string }) => i.method !== 'GET');
      expect(commands).toHaveLength(4);
      return commands;
    });
    expect(
      audited.map((i: { method: string; route: string; reason: string | null }) => [
        i.method,
        i.route,
        i.reason?.split(':')[0] ?? null,
      ]),
    ).toEqual([
      ['POST', '/documents/:id/erase', 'retention'],
      ['DELETE', '/documents/:id', null],
      ['POST', '/documents/:id/restore', null],
      ['DELETE', '/documents/:id', 'sent to the wrong clinic'],
    ]);
  });

  it('erases rejected uploads past their age and leaves accepted documents alone', async () => {
    const kept = await api.upload(note('Una nota que se queda.'), 'queda.txt');
    const rejected = await api.upload(await truncatedPdf(), 'cortado.pdf');
    expect(await terminal(rejected.documentId)).toMatchObject({ status: 'rejected' });
    expect(await terminal(kept.documentId)).toMatchObject({ status: 'classified' });

    await call('PUT', '/retention', adminKey, { rejectedMaxAgeDays: 1 / 86_400 });
    const erased = await eventually(async () => {
      const event = await erasureOf(rejected.documentId);
      expect(event).toBeDefined();
      return event;
    }, 30_000);
    expect(erased?.data).toMatchObject({
      principal: 'system:retention',
      reason: 'retention: rejected upload older than 1 seconds',
    });
    // The same passes saw the accepted document and left it.
    expect(await erasureOf(kept.documentId)).toBeUndefined();
    expect((await api.document(kept.documentId)).status).toBe(200);
  });
});
