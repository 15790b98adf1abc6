import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../infra/logger.ts';
import { createPool, type Pool, type Queryable, withTenant } from '../../infra/postgres.ts';
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
  items?: JsonSchema;
  required?: string[];
  anyOf?: JsonSchema[];
  const?: unknown;
  enum?: unknown[];
  format?: string;
}

/** Fields whose value must be well-formed: a webhook URL (a local port nothing listens on). */
const EXAMPLES: Record<string, string> = { url: 'http://127.0.0.1:9/hooks-of-b' };

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
  if (schema.type === 'array') return [exampleOf(schema.items ?? {}, ids, name)];
  if (schema.type === 'integer' || schema.type === 'number') return 1;
  return ids[name] ?? EXAMPLES[name] ?? 'x';
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
  let owner: Pool;
  let app: Pool;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    // Tenant B's webhook registration names a loopback URL.
    env = await createTestEnvironment({ WEBHOOK_ALLOW_PRIVATE: 'true' });
    system = await startSystem(env.config, createLogger('warn'));
    owner = createPool(env.config.database.url, 2);
    app = createPool(env.config.database.appUrl, 2);
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
    const hook = await api.post('/webhooks', {
      url: 'http://127.0.0.1:9/hooks-of-a',
      eventTypes: ['DocumentUploaded'],
    });
    Object.assign(ids, {
      documents: documentId,
      patients: matched.patientMatch.patientId,
      batches: batch.body.batchId,
      webhooks: hook.body.endpointId,
      // No review exists in tenant A's queue for this document; a made-up id stands in for one.
      reviews: '5c0ffee0-0000-4000-8000-000000000000',
      mergedId: 'patient-of-nobody',
      patientId: matched.patientMatch.patientId,
      'fhir/Patient': matched.patientMatch.patientId,
      'fhir/DocumentReference': documentId,
      'fhir/Observation': `${documentId}-lab-0`,
      'fhir/MedicationStatement': `${documentId}-med-0`,
      'fhir/Condition': `${documentId}-dx-0`,
    });
  }, 120_000);
  afterAll(async () => {
    await owner?.end();
    await app?.end();
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
    // Open and ops routes serve no tenant's data.
    // Open to all: health, metrics, the event contract and the log's public signing key.
    const unscoped = ['/health', '/metrics', '/asyncapi.json', '/log/public-key'];
    const guarded = routes.filter((r) => !unscoped.includes(r.path));
    expect(guarded.length).toBeGreaterThan(20);
    const fill = (path: string) =>
      path.replace(/\{(\w+)\}/g, (_, name: string) => {
        // A page of tenant A's document: its first.
        if (name === 'page') return '1';
        // FHIR reads name the resource type after /fhir: /fhir/Patient/{id}.
        const segments = path.split('/');
        const kind = (segments[1] === 'fhir' ? `fhir/${segments[2]}` : segments[1]) as string;
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
      const refusal = await naming.json();
      // FHIR routes answer an OperationOutcome that carries the code in its details.
      const code = refusal.code ?? refusal.issue?.[0]?.details?.coding?.[0]?.code;
      expect(code, `${route.method} ${route.path} naming tenant A`).toBe('TENANT_MISMATCH');

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

  /** Every table with a tenant_id column, from the catalog: a new one is covered unedited. */
  const tenantTables = async () =>
    (
      await owner.query<{ name: string }>(
        `SELECT format('%I.%I', table_schema, table_name) AS name
         FROM information_schema.columns
         WHERE column_name = 'tenant_id' AND table_schema IN ('public', 'write_side')
         ORDER BY 1`,
      )
    ).rows.map((r) => r.name);
  // The API keys are read before a tenant is known; the app role may only read them.
  const UNSCOPED = 'write_side.api_keys';
  const rowsByTenant = async (db: Queryable, table: string) =>
    Object.fromEntries(
      (
        await db.query<{ tenant_id: string; n: number }>(
          `SELECT tenant_id, count(*)::int AS n FROM ${table} GROUP BY tenant_id`,
        )
      ).rows.map((r) => [r.tenant_id, r.n]),
    );

  it('holds the API and the projections to one tenant in the database itself', async () => {
    const apiB = apiClient(system.url as string, B, keyB);
    const { documentId } = await apiB.upload(Buffer.from(NOTE), 'nota-b.txt');
    await eventually(async () => {
      const { body } = await apiB.document(documentId);
      expect(body.patientMatch?.patientId).toEqual(expect.any(String));
    }, 60_000);

    const tables = (await tenantTables()).filter((t) => t !== UNSCOPED);
    expect(tables.length).toBeGreaterThan(20);
    const { rows: unguarded } = await owner.query(
      `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE format('%I.%I', n.nspname, c.relname) = ANY($1)
         AND NOT (c.relrowsecurity AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid))`,
      [tables],
    );
    expect(unguarded).toEqual([]);
    const { rows: role } = await owner.query(
      `SELECT rolsuper, rolbypassrls,
         (SELECT count(*)::int FROM pg_tables WHERE tableowner = rolname) AS owns
       FROM pg_roles WHERE rolname = $1`,
      [env.config.database.appRole],
    );
    expect(role).toEqual([{ rolsuper: false, rolbypassrls: false, owns: 0 }]);

    // The queries below leave out the tenant filter on purpose.
    const proof: Record<string, string> = {};
    let foreignRowsSeenByOwner = 0;
    for (const table of tables) {
      const all = await rowsByTenant(owner, table);
      const asB = await withTenant(app, B, (db) => rowsByTenant(db, table));
      const unset = await rowsByTenant(app, table);
      expect(
        Object.keys(asB).filter((t) => t !== B),
        `${table} as ${B}`,
      ).toEqual([]);
      // The audit projection may still be folding reads, so B's count can only have grown.
      expect(asB[B] ?? 0, table).toBeGreaterThanOrEqual(all[B] ?? 0);
      expect(unset, `${table} with no tenant set`).toEqual({});
      foreignRowsSeenByOwner += all[A] ?? 0;
      proof[table] =
        `owner: ${A} ${all[A] ?? 0}, ${B} ${all[B] ?? 0} | app as ${B}: ` +
        `${A} ${asB[A] ?? 0}, ${B} ${asB[B] ?? 0} | app, no tenant: ${Object.keys(unset).length}`;
    }
    expect(foreignRowsSeenByOwner).toBeGreaterThan(10);
    console.table(proof);

    // Nor can it write across the wall, or take the wall down.
    const update = await withTenant(app, B, (db) =>
      db.query('UPDATE documents SET status = status WHERE tenant_id = $1', [A]),
    );
    expect(update.rowCount).toBe(0);
    await expect(
      withTenant(app, B, (db) =>
        db.query(
          `INSERT INTO write_side.tenant_quotas (tenant_id, updated_by) VALUES ($1, 'test')`,
          [A],
        ),
      ),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(
      app.query('ALTER TABLE documents DISABLE ROW LEVEL SECURITY'),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(app.query(`UPDATE ${UNSCOPED} SET tenant_id = $1`, [B])).rejects.toMatchObject({
      code: '42501',
    });
  }, 120_000);
});
