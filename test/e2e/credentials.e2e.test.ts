import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeyStore } from '../../api/auth/api-keys.ts';
import { createLogger } from '../../infra/logger.ts';
import { createPool } from '../../infra/postgres.ts';
import { type System, startSystem } from '../../system/system.ts';
import { apiClient } from '../support/api-client.ts';
import { bearer, issueKey } from '../support/credentials.ts';
import { createTestEnvironment, eventually, type TestEnvironment } from '../support/environment.ts';

const run = promisify(execFile);
const TENANT = 'clinic-keys';
const text = (line: string) => Buffer.from(`${line}\nNota de evolucion del paciente.\n`);

describe('credentials, roles and tenants at the API', () => {
  let env: TestEnvironment;
  let system: System;
  let url: string;
  let admin: { id: string; key: string };

  const call = async (path: string, init: RequestInit & { key?: string } = {}) => {
    const { key, ...rest } = init;
    const response = await fetch(`${url}${path}`, {
      ...rest,
      headers: { ...(key ? bearer(key) : {}), ...(rest.headers as Record<string, string>) },
    });
    const body = response.headers.get('content-type')?.includes('json')
      ? await response.json()
      : null;
    return { status: response.status, headers: response.headers, body };
  };
  const documentCount = async () => {
    const { body } = await call('/documents?limit=200', { key: admin.key });
    return body.items.length as number;
  };
  const keysCli = (...args: string[]) =>
    run('npm', ['run', '--silent', 'keys', '--', ...args], { env: { ...process.env, ...env.env } });

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

  it('answers 401 to a missing, malformed, unknown, expired or revoked credential, and writes nothing', async () => {
    const before = await documentCount();
    const expired = await issueKey(
      env.config.database.url,
      TENANT,
      ['uploader'],
      new Date(Date.now() - 1000),
    );
    const revoked = await issueKey(env.config.database.url, TENANT, ['uploader']);
    const pool = createPool(env.config.database.url, 1);
    await createApiKeyStore(pool).revoke(revoked.id);
    await pool.end();
    const forged = `${admin.key.slice(0, -4)}AAAA`;
    const unsignedJwt = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(
      JSON.stringify({ sub: 'x', tenant: TENANT, roles: ['admin'] }),
    ).toString('base64url')}.`;

    const form = () => {
      const f = new FormData();
      f.append('file', new Blob([new Uint8Array(text('Paciente: PRUEBA'))]), 'nota.txt');
      return f;
    };
    const missing = await call('/documents', { method: 'POST', body: form() });
    expect(missing.status).toBe(401);
    expect(missing.body.code).toBe('CREDENTIALS_REQUIRED');
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    for (const key of [
      forged,
      expired.key,
      revoked.key,
      'dsk_0123456789abcdef_nope',
      unsignedJwt,
    ]) {
      const answer = await call('/documents', { method: 'POST', body: form(), key });
      expect(answer.status, key).toBe(401);
      expect(answer.body.code).toBe('CREDENTIALS_INVALID');
    }
    expect(await documentCount()).toBe(before);
  });

  it('answers 403 to a role the route does not allow, before reading anything', async () => {
    const reader = await issueKey(env.config.database.url, TENANT, ['reader']);
    const f = new FormData();
    f.append('file', new Blob([new Uint8Array(text('Paciente: LECTOR'))]), 'nota.txt');
    const upload = await call('/documents', { method: 'POST', body: f, key: reader.key });
    expect(upload).toMatchObject({ status: 403, body: { code: 'ROLE_NOT_ALLOWED' } });
    // The same answer for a document that exists and one that does not: no hint either way.
    const unknown = '00000000-0000-4000-8000-000000000000';
    const history = await call(`/documents/${unknown}/history`, { key: reader.key });
    expect(history).toMatchObject({ status: 403, body: { code: 'ROLE_NOT_ALLOWED' } });
  });

  it("takes the tenant from the credential and refuses another tenant's id", async () => {
    const api = apiClient(url, TENANT, admin.key);
    const { documentId } = await api.upload(text('Paciente: TENANT'), 'nota.txt');
    const mismatch = await call(`/documents/${documentId}?tenantId=clinic-other`, {
      key: admin.key,
    });
    expect(mismatch).toMatchObject({ status: 403, body: { code: 'TENANT_MISMATCH' } });
    const other = await issueKey(env.config.database.url, 'clinic-other');
    expect((await call(`/documents/${documentId}`, { key: other.key })).status).toBe(404);
    const shown = await eventually(async () => {
      const answer = await call(`/documents/${documentId}`, { key: admin.key });
      expect(answer.status).toBe(200);
      return answer;
    });
    expect(shown.body.tenantId).toBe(TENANT);
    expect(shown.headers.get('cache-control')).toBe('no-store');
    expect(shown.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('records the principal as the actor of what a request causes', async () => {
    const uploader = await issueKey(env.config.database.url, TENANT, ['uploader', 'auditor']);
    const api = apiClient(url, TENANT, uploader.key);
    const { documentId } = await api.upload(text('Paciente: ACTOR'), 'nota.txt');
    const history = await eventually(async () => {
      const { status, body } = await api.history(documentId);
      expect(status).toBe(200);
      return body.events as Array<{ type: string; actor: string }>;
    });
    expect(history.find((e) => e.type === 'DocumentUploaded')?.actor).toBe(`key:${uploader.id}`);
  });

  it('creates, lists and revokes keys from the command line; a revoked key is refused', async () => {
    const created = await keysCli('create', '--tenant', TENANT, '--roles', 'reader,auditor');
    const key = created.stdout.trim();
    expect(created.stdout).toMatch(/^dsk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}\n$/);
    expect((await call('/documents', { key })).status).toBe(200);
    const id = key.split('_')[1] as string;
    const listed = (await keysCli('list', '--tenant', TENANT)).stdout;
    expect(listed).toMatch(new RegExp(`^${id}\\t${TENANT}\\treader,auditor\\texpires `, 'm'));
    expect(listed).not.toContain(key);
    await keysCli('revoke', id);
    // The API keeps a verified key at most API_KEY_CACHE_MS: a revocation made elsewhere holds
    // within that bound.
    await eventually(async () => {
      expect((await call('/documents', { key })).status).toBe(401);
    }, env.config.http.apiKeyCache.ttlMs + 10_000);
    expect((await keysCli('list')).stdout).toMatch(new RegExp(`^${id}\\t.*\\trevoked `, 'm'));
    await expect(keysCli('create', '--tenant', TENANT, '--roles', 'superuser')).rejects.toThrow(
      /unknown roles: superuser/,
    );
  }, 120_000);

  it('refuses positions no read can wait for', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    const beyond = await call(`/documents/${id}?minPosition=0:99999999999999999999`, {
      key: admin.key,
    });
    expect(beyond).toMatchObject({ status: 400, body: { code: 'INVALID_POSITION' } });
    const otherLog = await call(`/documents/${id}/text?minPosition=batch:0:3`, { key: admin.key });
    expect(otherLog).toMatchObject({ status: 400, body: { code: 'POSITION_OF_ANOTHER_LOG' } });
  });

  it('answers 400 to a multipart body cut short', async () => {
    const boundary = 'cut-short-boundary';
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nPaciente: CORTADO\r\n`;
    const answer = await call('/documents', {
      method: 'POST',
      key: admin.key,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
    });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('MULTIPART_TRUNCATED');
  });
});

describe('rate limits per principal', () => {
  let env: TestEnvironment;
  let system: System;

  beforeAll(async () => {
    env = await createTestEnvironment({ RATE_LIMIT_MAX: '5', RATE_LIMIT_WINDOW_MS: '60000' });
    system = await startSystem(env.config, createLogger('warn'));
  });
  afterAll(async () => {
    await system?.stop();
    await env?.cleanup();
  });

  it('answers 429 with Retry-After past the limit, and others go on', async () => {
    const busy = await issueKey(env.config.database.url, TENANT, ['reader']);
    const calm = await issueKey(env.config.database.url, TENANT, ['reader']);
    const list = (key: string) => fetch(`${system.url}/documents`, { headers: bearer(key) });
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await list(busy.key)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const limited = await list(busy.key);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await limited.json()).code).toBe('RATE_LIMITED');
    expect((await list(calm.key)).status).toBe(200);
  });
});
