import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../infra/logger.ts';
import { type System, startSystem } from '../../system/system.ts';
import { apiClient } from '../support/api-client.ts';
import { bearer, issueKey } from '../support/credentials.ts';
import { createTestEnvironment, eventually, type TestEnvironment } from '../support/environment.ts';

const A = 'clinic-a';
const B = 'clinic-b';
const NOTE = [
  'NOTA DE EVOLUCION',
  'Paciente: ZAMORA QUIROGA, ELENA   Expediente: 55120',
  'Fecha de nacimiento: 04/09/1971',
  'Paciente estable, continua tratamiento.',
].join('\n');

interface Route {
  method: string;
  path: string;
  operation: {
    requestBody?: { content: Record<string, { schema: JsonSchema }> };
    parameters?: Array<{ in: string; name: string; required?: boolean; schema: JsonSchema }>;
  };
}
interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  const?: unknown;
  enum?: unknown[];
  format?: string;
}

/** A value the schema accepts: the smallest valid body for a command. */
function exampleOf(schema: JsonSchema, ids: Record<string, string>, name = ''): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  if (schema.anyOf?.[0]) return exampleOf(schema.anyOf[0], ids, name);
  if (schema.type === 'object') {
    return Object.fromEntries(
      (schema.required ?? []).map((key) => [
        key,
        exampleOf(schema.properties?.[key] ?? {}, ids, key),
      ]),
    );
  }
  if (schema.type === 'integer' || schema.type === 'number') return 1;
  return ids[name] ?? 'x';
}

/**
 * Every route in the OpenAPI document, called by tenant B on tenant A's resources: first naming
 * tenant A, then as itself. A new route is covered without editing this test; one whose path
 * parameters it cannot fill fails it.
 */
describe("tenant isolation on every route: tenant B's credential and tenant A's data", () => {
  let env: TestEnvironment;
  let system: System;
  let keyB: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    env = await createTestEnvironment();
    system = await startSystem(env.config, createLogger('warn'));
    const url = system.url as string;
    const keyA = (await issueKey(env.config.database.url, A)).key;
    keyB = (await issueKey(env.config.database.url, B)).key;
    const api = apiClient(url, A, keyA);
    const { documentId } = await api.upload(Buffer.from(NOTE), 'nota.txt');
    const matched = await eventually(async () => {
      const { body } = await api.document(documentId);
      expect(body.patientMatch?.patientId).toEqual(expect.any(String));
      return body;
    }, 60_000);
    const batch = await api.post('/batches', { name: 'A only' });
    Object.assign(ids, {
      documents: documentId,
      patients: matched.patientMatch.patientId,
      batches: batch.body.batchId,
      // No review exists in tenant A's queue for this document; a made-up id stands in for one.
      reviews: '5c0ffee0-0000-4000-8000-000000000000',
      mergedId: 'patient-of-nobody',
      patientId: matched.patientMatch.patientId,
    });
  }, 120_000);
  afterAll(async () => {
    await system?.stop();
    await env?.cleanup();
  });

  it('refuses, hides or leaves out tenant A on every route', async () => {
    const spec = system.app?.swagger() as {
      paths: Record<string, Record<string, Route['operation']>>;
    };
    const routes: Route[] = Object.entries(spec.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ method, path, operation })),
    );
    const guarded = routes.filter((r) => !['/health', '/metrics'].includes(r.path));
    expect(guarded.length).toBeGreaterThan(20);
    const fill = (path: string) =>
      path.replace(/\{(\w+)\}/g, () => {
        const kind = path.split('/')[1] as string;
        const id = ids[kind];
        if (!id) throw new Error(`no tenant A resource for ${path}: teach the test this route`);
        return id;
      });
    const aRows = Object.values(ids).filter((id) => !id.startsWith('5c0ffee0'));
    const matrix: Record<string, string> = {};

    for (const route of guarded) {
      const url = `${system.url}${fill(route.path)}`;
      const multipart = route.operation.requestBody?.content['multipart/form-data'];
      const json = route.operation.requestBody?.content['application/json'];
      const required = (route.operation.parameters ?? []).filter(
        (p) => p.in === 'query' && p.required && p.name !== 'tenantId',
      );
      const send = (tenant: string | null) => {
        const params = new URLSearchParams(
          required.map((p) => [p.name, String(exampleOf(p.schema, ids, p.name))]),
        );
        if (tenant) params.set('tenantId', tenant);
        const query = params.size > 0 ? `?${params}` : '';
        if (route.method === 'get') return fetch(`${url}${query}`, { headers: bearer(keyB) });
        if (multipart || route.path.endsWith('/files') || route.path === '/documents') {
          const form = new FormData();
          if (tenant) form.append('tenantId', tenant);
          form.append('file', new Blob([new TextEncoder().encode('Nota de B\n')]), 'b.txt');
          return fetch(`${url}${query}`, { method: 'POST', headers: bearer(keyB), body: form });
        }
        const body = json ? (exampleOf(json.schema, ids) as Record<string, unknown>) : {};
        return fetch(`${url}${query}`, {
          method: route.method.toUpperCase(),
          headers: { ...bearer(keyB), 'content-type': 'application/json' },
          body: JSON.stringify(tenant ? { ...body, tenantId: tenant } : body),
        });
      };

      const naming = await send(A);
      expect(naming.status, `${route.method} ${route.path} naming tenant A`).toBe(403);
      expect((await naming.json()).code).toBe('TENANT_MISMATCH');

      const own = await send(null);
      const text = await own.text();
      const label = `${route.method.toUpperCase()} ${route.path}`;
      for (const id of aRows) expect(text, `${label} shows tenant A's ${id}`).not.toContain(id);
      expect(text).not.toContain('ZAMORA');
      if (route.path.includes('{')) {
        expect([401, 403, 404], `${label} on tenant A's resource`).toContain(own.status);
        matrix[label] = `403 naming A, ${own.status} on A's resource`;
      } else if (route.method === 'get') {
        expect(own.status, label).toBe(200);
        matrix[label] = "403 naming A, 200 without A's rows";
      } else {
        expect(own.status, label).toBeLessThan(300);
        matrix[label] = `403 naming A, ${own.status} in its own tenant`;
      }
    }
    console.table(matrix);
  }, 120_000);
});
