import type { Admin, Kafka, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventProducer, createKafka } from '../../infra/kafka/client.ts';
import { createEventLog, type EventLog } from '../../infra/kafka/event-log.ts';
import { readTopic } from '../../infra/kafka/read-topic.ts';
import { topicNames } from '../../infra/kafka/topics.ts';
import { createLogger } from '../../infra/logger.ts';
import {
  createEventCodec,
  createSchemaRegistry,
  type EventCodec,
  registerEventSchemas,
} from '../../schemas/codec.ts';
import { type System, startSystem } from '../../system/system.ts';
import { textPdf } from '../fixtures/files.ts';
import { bearer, issueKey } from '../support/credentials.ts';
import { createTestEnvironment, eventually, type TestEnvironment } from '../support/environment.ts';
import { chainOf, documentUploaded, matchingOf } from '../support/events.ts';

const TENANT = 'clinic-batch';
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

interface ServerEvent {
  event: string;
  data: {
    status: string;
    fileCount: number | null;
    counts: Record<string, number>;
    completion: Record<string, number> | null;
  };
}

/** Reads a text/event-stream response as it arrives, into `events`; `ended` settles at its end. */
async function listen(url: string, key: string, signal: AbortSignal) {
  const response = await fetch(url, {
    headers: { ...bearer(key), accept: 'text/event-stream' },
    signal,
  });
  const events: ServerEvent[] = [];
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const ended = (async () => {
    let buffer = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const fields = Object.fromEntries(
          buffer
            .slice(0, end)
            .split('\n')
            .filter((line) => !line.startsWith(':'))
            .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
        );
        if (fields.event)
          events.push({ event: fields.event, data: JSON.parse(fields.data ?? 'null') });
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
      }
    }
  })();
  return { status: response.status, type: response.headers.get('content-type'), events, ended };
}

describe('batch uploads, through the API', () => {
  let env: TestEnvironment;
  let system: System;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let codec: EventCodec;
  let eventLog: EventLog;
  let key: string;
  let otherTenantKey: string;
  const streams = new AbortController();

  const url = (path: string) => `${system.url}${path}`;
  const post = async (path: string, body?: object | FormData) => {
    const response = await fetch(url(path), {
      method: 'POST',
      ...(body instanceof FormData
        ? { body, headers: bearer(key) }
        : body
          ? {
              body: JSON.stringify(body),
              headers: { ...bearer(key), 'content-type': 'application/json' },
            }
          : { headers: bearer(key) }),
    });
    return { status: response.status, body: await response.json() };
  };
  const get = async (path: string, as = key) => {
    const response = await fetch(url(path), { headers: bearer(as) });
    return { status: response.status, body: await response.json() };
  };
  const filesForm = (files: Array<[Buffer, string]>) => {
    const form = new FormData();
    for (const [bytes, name] of files) form.append('file', new Blob([new Uint8Array(bytes)]), name);
    return form;
  };
  /** A stand-in for the upload the read model folded, to build the chain's events on. */
  const uploaded = (documentId: string, batchId: string) =>
    documentUploaded({
      metadata: { tenantId: TENANT, aggregateId: documentId, correlationId: batchId },
    });

  beforeAll(async () => {
    env = await createTestEnvironment({
      BATCH_PROGRESS_POLL_MS: '50',
      BATCH_COMPLETION_INTERVAL_MS: '50',
    });
    // No processors: the test says when each file is done, by appending the chain's events.
    system = await startSystem(
      { ...env.config, processors: { ...env.config.processors, run: [] } },
      createLogger('warn'),
    );
    ({ key } = await issueKey(env.config.database.url, TENANT));
    ({ key: otherTenantKey } = await issueKey(env.config.database.url, 'other-clinic'));
    kafka = createKafka(env.config, createLogger('silent'));
    admin = kafka.admin();
    await admin.connect();
    const registry = createSchemaRegistry(env.config.registry.url, env.config.registry.auth);
    const topics = topicNames(env.config.topics.prefix);
    codec = createEventCodec(registry, await registerEventSchemas(registry, topics));
    producer = createEventProducer(kafka);
    await producer.connect();
    eventLog = createEventLog(producer, codec, topics);
  });
  afterAll(async () => {
    streams.abort();
    await producer?.disconnect();
    await admin?.disconnect();
    await system?.stop();
    await env?.cleanup();
  });

  it('adds many files, closes, streams progress, and completes once every file is done', async () => {
    const opened = await post('/batches', { tenantId: TENANT, name: 'night scans' });
    expect(opened.status).toBe(201);
    const { batchId } = opened.body;

    const added = await post(
      `/batches/${batchId}/files?tenantId=${TENANT}`,
      filesForm([
        [await textPdf(['RESULTADOS DE LABORATORIO', 'Glucosa 98 mg/dL']), 'lab.pdf'],
        [Buffer.alloc(0), 'empty.pdf'],
        [await textPdf(['RECETA MEDICA', 'Metformina 850 mg']), 'receta.pdf'],
      ]),
    );
    expect(added.status).toBe(201);
    expect(added.body.files).toMatchObject([
      { fileName: 'lab.pdf', duplicateOf: null },
      { fileName: 'empty.pdf', error: { code: 'EMPTY_FILE' } },
      { fileName: 'receta.pdf', duplicateOf: null },
    ]);
    const more = await post(
      `/batches/${batchId}/files?tenantId=${TENANT}`,
      filesForm([[await textPdf(['NOTA DE CONSULTA']), 'nota.pdf']]),
    );
    expect(more.body.files).toHaveLength(1);
    const [lab, , receta] = added.body.files as Array<{ documentId: string }>;
    const nota = (more.body.files as Array<{ documentId: string }>)[0];
    const ids = [lab, receta, nota].map((f) => f?.documentId as string);

    const closed = await post(`/batches/${batchId}/close`, { tenantId: TENANT });
    expect(closed).toMatchObject({ status: 202, body: { fileCount: 3 } });
    const stream = await listen(
      url(
        `/batches/${batchId}/events?tenantId=${TENANT}&minPosition=${closed.body.position.token}`,
      ),
      key,
      streams.signal,
    );
    expect([stream.status, stream.type]).toEqual([200, 'text/event-stream']);
    await eventually(() =>
      expect(stream.events.at(-1)).toMatchObject({
        event: 'progress',
        data: { status: 'closed', fileCount: 3, counts: { files: 3, processed: 0, pending: 3 } },
      }),
    );

    const [rejected, matched, registered] = ids.map((id) => uploaded(id, batchId));
    await eventLog.append(chainOf(rejected!).rejected('PDF_ENCRYPTED'));
    await eventually(() =>
      expect(stream.events.at(-1)?.data.counts).toMatchObject({ processed: 1, failed: 1 }),
    );
    expect(stream.events.filter((e) => e.event === 'completed')).toEqual([]);
    await eventLog.append(matchingOf(matched!).patientMatched('patient-1'));
    await eventLog.append(
      matchingOf(registered!).patientMatched('patient-2', { method: 'registered' }),
    );

    await stream.ended;
    const completion = { processed: 3, failed: 1, matched: 1, created: 1, inReview: 0 };
    expect(stream.events.at(-1)).toMatchObject({
      event: 'completed',
      data: { status: 'completed', fileCount: 3, completion },
    });
    expect(stream.events.slice(0, -1).every((e) => e.event === 'progress')).toBe(true);

    const { body: batch } = await get(`/batches/${batchId}?tenantId=${TENANT}`);
    expect(batch).toMatchObject({ name: 'night scans', status: 'completed', completion });
    expect(batch.files.map((f: { fileName: string; matchStatus: string }) => f.fileName)).toEqual([
      'lab.pdf',
      'receta.pdf',
      'nota.pdf',
    ]);

    const topic = topicNames(env.config.topics.prefix).events.batch;
    const messages = await readTopic(kafka, admin, topic);
    const events = await Promise.all(messages.map((m) => codec.decode(m.value as Buffer)));
    const completed = events.filter((e) => e.type === 'BatchCompleted');
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({
      metadata: { aggregateId: batchId, actor: 'batch-completion' },
      data: { fileCount: 3, ...completion },
    });
    const uploads = (
      await readTopic(kafka, admin, topicNames(env.config.topics.prefix).events.document)
    )
      .filter((m) => m.headers['event-type'] === 'DocumentUploaded')
      .map((m) => m.key);
    expect(uploads.sort()).toEqual([...ids].sort());
  });

  it('refuses files and a second close once a batch is closed', async () => {
    const { body } = await post('/batches', { tenantId: TENANT });
    const batchId = body.batchId as string;
    expect(await post(`/batches/${batchId}/close`, { tenantId: TENANT })).toMatchObject({
      status: 202,
      body: { fileCount: 0 },
    });
    const late = await post(
      `/batches/${batchId}/files?tenantId=${TENANT}`,
      filesForm([[await textPdf(['late']), 'late.pdf']]),
    );
    expect(late).toMatchObject({ status: 409, body: { code: 'BATCH_CLOSED' } });
    expect(await post(`/batches/${batchId}/close`, { tenantId: TENANT })).toMatchObject({
      status: 409,
      body: { code: 'BATCH_CLOSED' },
    });
  });

  it('answers 404 for a batch it does not know, or of another tenant', async () => {
    const { body } = await post('/batches', { tenantId: TENANT });
    const notFound = { status: 404, body: { code: 'BATCH_NOT_FOUND' } };
    expect(await get(`/batches/${UNKNOWN}?tenantId=${TENANT}`)).toMatchObject(notFound);
    expect(await get(`/batches/${body.batchId}`, otherTenantKey)).toMatchObject(notFound);
    expect(await get(`/batches/${UNKNOWN}/events?tenantId=${TENANT}`)).toMatchObject(notFound);
    expect(await post(`/batches/${UNKNOWN}/close`, { tenantId: TENANT })).toMatchObject(notFound);
    expect(
      await post(
        `/batches/${UNKNOWN}/files?tenantId=${TENANT}`,
        filesForm([[await textPdf(['x']), 'x.pdf']]),
      ),
    ).toMatchObject(notFound);
  });

  it('describes its batch routes in the OpenAPI document', async () => {
    const { status, body } = await get('/docs/json');
    expect(status).toBe(200);
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining([
        '/batches',
        '/batches/{id}',
        '/batches/{id}/files',
        '/batches/{id}/close',
        '/batches/{id}/events',
      ]),
    );
    expect(body.paths['/batches/{id}/events'].get.responses['200'].content).toHaveProperty(
      'text/event-stream',
    );
  });
});
