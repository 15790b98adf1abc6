import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../../infra/kafka/client.ts';
import { topicNames } from '../../infra/kafka/topics.ts';
import { createLogger } from '../../infra/logger.ts';
import { type System, startSystem } from '../../system/system.ts';
import { png, refused, textPdf } from '../fixtures/files.ts';
import { bearer, issueKey } from '../support/credentials.ts';
import { createTestEnvironment, type TestEnvironment } from '../support/environment.ts';
import { readTopic } from '../support/harness.ts';

const MAX_BYTES = 64 * 1024;
const PATIENT_FILE_NAME = '88123_GARCIA HERNANDEZ, MARIA GUADALUPE_4_LAB.pdf';
const TENANTS = ['clinic-1', 'clinic-2', 'clinic-3'];

describe('upload, then read through the API', () => {
  let env: TestEnvironment;
  let system: System;
  const logs: string[] = [];
  /** An API key of each tenant. */
  const keys = new Map<string, { id: string; key: string }>();

  beforeAll(async () => {
    env = await createTestEnvironment({
      UPLOAD_MAX_BYTES: String(MAX_BYTES),
      READ_WAIT_TIMEOUT_MS: '500',
      LOG_LEVEL: 'debug',
    });
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logs.push(chunk.toString());
        done();
      },
    });
    system = await startSystem(env.config, createLogger('debug', sink));
    for (const tenant of TENANTS) keys.set(tenant, await issueKey(env.config.database.url, tenant));
  });

  afterAll(async () => {
    await system?.stop();
    await env?.cleanup();
  });

  /** Uploads with the key of the tenant the fields name; with no key when they name none. */
  const upload = (file: Buffer | null, fields: Record<string, string>, fileName = 'scan.pdf') => {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    if (file) form.append('file', new Blob([new Uint8Array(file)]), fileName);
    const key = fields.tenantId ? keys.get(fields.tenantId)?.key : undefined;
    return fetch(`${system.url}/documents`, {
      method: 'POST',
      headers: key ? bearer(key) : {},
      body: form,
    });
  };
  const get = (p: string, tenant = 'clinic-1') =>
    fetch(`${system.url}${p}`, { headers: bearer(keys.get(tenant)!.key) });
  const blobFiles = async () =>
    (await readdir(env.config.blobs.dir, { recursive: true, withFileTypes: true }))
      .filter((d) => d.isFile())
      .map((d) => path.relative(env.config.blobs.dir, path.join(d.parentPath, d.name)));
  const documentEvents = () => {
    const kafka = createKafka(env.config, createLogger('silent'));
    const admin = kafka.admin();
    return admin
      .connect()
      .then(() => readTopic(kafka, admin, topicNames(env.config.topics.prefix).events.document))
      .finally(() => admin.disconnect());
  };

  let first: {
    documentId: string;
    position: { token: string; partition: number; offset: string };
    sha256: string;
  };

  it('accepts an upload with 202, the document id and its log position', async () => {
    const pdf = await textPdf(['LABORATORIO CLINICO', 'Glucosa 98 mg/dL']);
    const response = await upload(
      pdf,
      { tenantId: 'clinic-1', externalPatientId: 'EXP-88123', documentTypeHint: 'lab-result' },
      PATIENT_FILE_NAME,
    );
    expect(response.status).toBe(202);
    first = await response.json();
    expect(first.documentId).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.position.token).toBe(`${first.position.partition}:${first.position.offset}`);
    expect(response.headers.get('location')).toBe(`/documents/${first.documentId}`);
  });

  it('shows the document and its history once the read models reach the position', async () => {
    const query = `tenantId=clinic-1&minPosition=${first.position.token}`;
    const document = await get(`/documents/${first.documentId}?${query}`);
    expect(document.status).toBe(200);
    // The processors run here too: the chain may have moved the document on since its upload.
    expect(await document.json()).toMatchObject({
      id: first.documentId,
      fileName: PATIENT_FILE_NAME,
      mediaType: 'application/pdf',
      externalPatientId: 'EXP-88123',
      documentTypeHint: 'lab-result',
      duplicateOf: null,
      sha256: first.sha256,
    });
    const history = await (await get(`/documents/${first.documentId}/history?${query}`)).json();
    expect(history.events.length).toBeGreaterThanOrEqual(1);
    expect(history.events[0]).toMatchObject({
      type: 'DocumentUploaded',
      actor: `key:${keys.get('clinic-1')!.id}`,
      position: { partition: first.position.partition, offset: first.position.offset },
    });
    const list = await (await get(`/documents?${query}&mediaType=application/pdf`)).json();
    expect(list.items.map((d: { id: string }) => d.id)).toEqual([first.documentId]);
  });

  it('keeps tenants apart', async () => {
    const other = await get(`/documents/${first.documentId}`, 'clinic-2');
    expect(other.status).toBe(404);
    expect((await other.json()).code).toBe('DOCUMENT_NOT_FOUND');
  });

  it('answers bad reads with a stable code', async () => {
    const noCredential = await fetch(`${system.url}/documents/${first.documentId}`);
    expect(noCredential.status).toBe(401);
    expect((await noCredential.json()).code).toBe('CREDENTIALS_REQUIRED');
    const notYet = await get(
      `/documents/${first.documentId}?tenantId=clinic-1&minPosition=0:999999999`,
    );
    expect(notYet.status).toBe(504);
    expect((await notYet.json()).code).toBe('POSITION_NOT_REACHED');
    const badCursor = await get('/documents?tenantId=clinic-1&cursor=bm90LWEtY3Vyc29y');
    expect(badCursor.status).toBe(400);
    expect((await badCursor.json()).code).toBe('INVALID_CURSOR');
  });

  it('records the same bytes uploaded again by the tenant as a duplicate of the first', async () => {
    const pdf = await textPdf(['LABORATORIO CLINICO', 'Glucosa 98 mg/dL']);
    const again = await (await upload(pdf, { tenantId: 'clinic-1' }, 'copy.pdf')).json();
    expect(again.sha256).toBe(first.sha256);
    expect(again.duplicateOf).toBe(first.documentId);
    const document = await (
      await get(
        `/documents/${again.documentId}?tenantId=clinic-1&minPosition=${again.position.token}`,
      )
    ).json();
    expect(document.duplicateOf).toBe(first.documentId);
    const elsewhere = await (await upload(pdf, { tenantId: 'clinic-2' }, 'copy.pdf')).json();
    expect(elsewhere.duplicateOf).toBeNull();
  });

  it('pages through documents with a cursor', async () => {
    const uploads = await Promise.all(
      [1, 2, 3].map(() =>
        upload(png(), { tenantId: 'clinic-3' }, 'page.png').then((r) => r.json()),
      ),
    );
    for (const u of uploads) {
      expect(
        (
          await get(
            `/documents/${u.documentId}?tenantId=clinic-3&minPosition=${u.position.token}`,
            'clinic-3',
          )
        ).status,
      ).toBe(200);
    }
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = await (
        await get(
          `/documents?tenantId=clinic-3&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
          'clinic-3',
        )
      ).json();
      pages.push(page.items.map((d) => d.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(pages.map((p) => p.length)).toEqual([2, 1]);
    expect(pages.flat().sort()).toEqual(uploads.map((u) => u.documentId).sort());
  });

  it('refuses bad uploads with a stable code and leaves no blob and no event behind', async () => {
    const blobsBefore = await blobFiles();
    // Processors append to the log meanwhile: count what an upload would have appended.
    const uploads = async () =>
      (await documentEvents()).filter((m) => m.headers['event-type'] === 'DocumentUploaded').length;
    const eventsBefore = await uploads();
    const pdf = await textPdf(['x']);
    const cases: Array<[Promise<Response>, number, string]> = [
      [upload(Buffer.alloc(0), { tenantId: 'clinic-1' }), 400, 'EMPTY_FILE'],
      [
        upload(Buffer.concat([pdf, Buffer.alloc(MAX_BYTES)]), { tenantId: 'clinic-1' }),
        413,
        'FILE_TOO_LARGE',
      ],
      [upload(refused.gzip, { tenantId: 'clinic-1' }, 'report.pdf'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [upload(refused.elf, { tenantId: 'clinic-1' }, 'scan.png'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [upload(pdf, {}), 401, 'CREDENTIALS_REQUIRED'],
      [upload(pdf, { tenantId: 'clinic-1' }, '../../etc/passwd.pdf'), 400, 'INVALID_FILE_NAME'],
      [upload(pdf, { tenantId: 'clinic-1' }, 'C:\\reports\\a.pdf'), 400, 'INVALID_FILE_NAME'],
      [upload(null, { tenantId: 'clinic-1' }), 400, 'FILE_REQUIRED'],
      [
        fetch(`${system.url}/documents`, {
          method: 'POST',
          body: '{}',
          headers: { ...bearer(keys.get('clinic-1')!.key), 'content-type': 'application/json' },
        }),
        415,
        'MULTIPART_REQUIRED',
      ],
    ];
    for (const [response, status, code] of cases) {
      const r = await response;
      expect({ status: r.status, code: (await r.json()).code }).toEqual({ status, code });
    }
    expect(await blobFiles()).toEqual(blobsBefore);
    expect(await uploads()).toBe(eventsBefore);
  });

  it('reports Kafka, registry, PostgreSQL and webhooks in /health and serves OpenAPI at /docs', async () => {
    const health = await get('/health');
    expect(health.status).toBe(200);
    const body = await health.json();
    expect(Object.keys(body.checks).sort()).toEqual(['kafka', 'postgres', 'registry', 'webhooks']);
    expect(Object.values(body.checks).every((c) => (c as { status: string }).status === 'up')).toBe(
      true,
    );
    const openapi = await (await get('/docs/json')).json();
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining([
        '/documents',
        '/documents/{id}',
        '/documents/{id}/history',
        '/health',
      ]),
    );
  });

  it('serves Prometheus metrics with request timings by route', async () => {
    const text = await (await get('/metrics')).text();
    expect(text).toMatch(
      /docstream_http_request_duration_seconds_count\{method="POST",route="\/documents",status="202"\} [1-9]/,
    );
    expect(text).toMatch(
      /docstream_projection_events_applied_total\{projection="documents"\} [1-9]/,
    );
    expect(text).toContain('docstream_process_resident_memory_bytes');
  });

  it('never writes patient names or identifiers to the logs', () => {
    const all = logs.join('');
    expect(all).toContain('request completed');
    expect(all).not.toContain('GARCIA');
    expect(all).not.toContain('EXP-88123');
  });
});
