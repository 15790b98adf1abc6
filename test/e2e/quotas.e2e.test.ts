import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../infra/logger.ts';
import { type System, startSystem } from '../../system/system.ts';
import { apiClient } from '../support/api-client.ts';
import { bearer, issueKey } from '../support/credentials.ts';
import { createTestEnvironment, type TestEnvironment } from '../support/environment.ts';

const TENANT = 'clinic-quotas';
const note = (name: string) =>
  Buffer.from(`Paciente: ${name}\nNota de evolucion del paciente ${name}.\n`);

/** Every file under `dir`, however deep; none when it does not exist. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    },
  );
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe('usage and quotas at the API', () => {
  let env: TestEnvironment;
  let system: System;
  let url: string;
  let admin: { id: string; key: string };

  const call = async (method: string, route: string, key: string, body?: object | FormData) => {
    const json = body !== undefined && !(body instanceof FormData);
    const response = await fetch(`${url}${route}`, {
      method,
      headers: { ...bearer(key), ...(json ? { 'content-type': 'application/json' } : {}) },
      ...(body === undefined ? {} : { body: json ? JSON.stringify(body) : (body as FormData) }),
    });
    return { status: response.status, body: await response.json() };
  };
  const uploadForm = (bytes: Buffer, fileName: string) => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bytes)]), fileName);
    return form;
  };
  const blobsOfTenant = () => filesUnder(path.join(env.config.blobs.dir, TENANT));
  const staged = () => filesUnder(path.join(env.config.blobs.dir, '.staging'));

  beforeAll(async () => {
    env = await createTestEnvironment({ RATE_LIMIT_MAX: '5000' });
    system = await startSystem(env.config, createLogger('warn'));
    url = system.url as string;
    admin = await issueKey(env.config.database.url, TENANT);
  });
  afterAll(async () => {
    await system?.stop();
    await env?.cleanup();
  });

  it('refuses the upload past the documents per day with 429, storing and appending nothing, until the quota is cleared', async () => {
    const api = apiClient(url, TENANT, admin.key);
    expect(await call('GET', '/quotas', admin.key)).toEqual({
      status: 200,
      body: { maxStoredBytes: null, maxDocumentsPerDay: null, maxOcrPagesPerDay: null },
    });
    const set = await call('PUT', '/quotas', admin.key, { maxDocumentsPerDay: 2 });
    expect(set).toEqual({
      status: 200,
      body: { maxStoredBytes: null, maxDocumentsPerDay: 2, maxOcrPagesPerDay: null },
    });

    const first = note('PRIMERO');
    const second = note('SEGUNDO EJEMPLO');
    const uploads = [
      await api.upload(first, 'primero.txt'),
      await api.upload(second, 'segundo.txt'),
    ];
    // Each upload's position may be on its own partition: read usage after both.
    for (const { position } of uploads) {
      await call('GET', `/usage?minPosition=${position.token}`, admin.key);
    }
    const usage = await call('GET', '/usage', admin.key);
    expect(usage.status).toBe(200);
    expect(usage.body).toMatchObject({
      tenantId: TENANT,
      days: [{ documents: 2, bytes: first.length + second.length }],
      totals: { documents: 2, bytes: first.length + second.length },
      storedBytes: first.length + second.length,
    });
    expect(usage.body.days[0].day).toBe(usage.body.to);

    const refused = await call(
      'POST',
      '/documents',
      admin.key,
      uploadForm(note('TERCERO'), 'tercero.txt'),
    );
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('QUOTA_EXCEEDED');
    expect(refused.body.message).toContain('maxDocumentsPerDay');
    expect(await blobsOfTenant()).toHaveLength(2);
    expect(await staged()).toEqual([]);

    const cleared = await call('PUT', '/quotas', admin.key, { maxDocumentsPerDay: null });
    expect(cleared.body.maxDocumentsPerDay).toBeNull();
    const fourth = await api.upload(note('CUARTO'), 'cuarto.txt');
    const listed = await call(
      'GET',
      `/documents?limit=50&minPosition=${fourth.position.token}`,
      admin.key,
    );
    for (const { position } of uploads) {
      await call('GET', `/documents?minPosition=${position.token}`, admin.key);
    }
    const names = (await call('GET', '/documents?limit=50', admin.key)).body.items.map(
      (d: { fileName: string }) => d.fileName,
    );
    expect(listed.status).toBe(200);
    expect(names.sort()).toEqual(['cuarto.txt', 'primero.txt', 'segundo.txt']);
    expect(await blobsOfTenant()).toHaveLength(3);
  });

  it('holds the files added to a batch to the quota, counting those of the same request', async () => {
    const before = await call('GET', '/usage', admin.key);
    const today: number = before.body.totals.documents;
    await call('PUT', '/quotas', admin.key, { maxDocumentsPerDay: today });
    const opened = await call('POST', '/batches', admin.key, {});
    expect(opened.status).toBe(201);
    const filesRoute = `/batches/${opened.body.batchId}/files`;
    const refused = await call('POST', filesRoute, admin.key, uploadForm(note('LOTE'), 'lote.txt'));
    expect(refused).toMatchObject({ status: 429, body: { code: 'QUOTA_EXCEEDED' } });

    await call('PUT', '/quotas', admin.key, { maxDocumentsPerDay: today + 1 });
    const form = uploadForm(note('LOTE UNO'), 'lote-1.txt');
    form.append('file', new Blob([new Uint8Array(note('LOTE DOS'))]), 'lote-2.txt');
    const added = await call('POST', filesRoute, admin.key, form);
    expect(added.status).toBe(201);
    expect(added.body.files).toMatchObject([
      { fileName: 'lote-1.txt', documentId: expect.any(String) },
      { fileName: 'lote-2.txt', error: { code: 'QUOTA_EXCEEDED' } },
    ]);
    expect(await blobsOfTenant()).toHaveLength(4);
    expect(await staged()).toEqual([]);
    await call('PUT', '/quotas', admin.key, { maxDocumentsPerDay: null });
  });

  it('lets admins and auditors read usage and quotas, and only admins set quotas', async () => {
    const reader = await issueKey(env.config.database.url, TENANT, ['reader', 'uploader']);
    const auditor = await issueKey(env.config.database.url, TENANT, ['auditor']);
    const byReader = await call('PUT', '/quotas', reader.key, { maxDocumentsPerDay: 1000 });
    expect(byReader).toMatchObject({ status: 403, body: { code: 'ROLE_NOT_ALLOWED' } });
    expect((await call('PUT', '/quotas', auditor.key, { maxDocumentsPerDay: 1 })).status).toBe(403);
    expect((await call('GET', '/usage', reader.key)).status).toBe(403);
    expect((await call('GET', '/quotas', auditor.key)).body.maxDocumentsPerDay).toBeNull();
    const read = await call('GET', '/usage', auditor.key);
    expect(read.status).toBe(200);
    expect(read.body.tenantId).toBe(TENANT);

    // Another tenant sees its own usage, none of this one's.
    const other = await issueKey(env.config.database.url, 'clinic-quotas-other');
    const theirs = await call('GET', '/usage', other.key);
    expect(theirs.body).toMatchObject({
      tenantId: 'clinic-quotas-other',
      days: [],
      storedBytes: 0,
    });
  });
});
