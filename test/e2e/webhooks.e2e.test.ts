import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../infra/logger.ts';
import { createPool } from '../../infra/postgres.ts';
import { type System, startSystem } from '../../system/system.ts';
import { apiClient } from '../support/api-client.ts';
import { bearer, issueKey } from '../support/credentials.ts';
import { createTestEnvironment, eventually, type TestEnvironment } from '../support/environment.ts';

const TENANT = 'clinic-hooks';
const CHAIN = ['DocumentUploaded', 'DocumentValidated', 'TextExtracted', 'DocumentClassified'];
const DOCUMENTS = 4;
/** Requests the flaky receiver answers 500 before it starts answering 200. */
const FIRST_FAILURES = 3;
const MAX_ATTEMPTS = 4;

interface Received {
  headers: Record<string, string>;
  body: string;
  at: number;
  status: number;
}

/** A receiver on 127.0.0.1 that answers `statusFor(n)` to its n-th request (from 0). */
async function receiver(statusFor: (n: number) => number) {
  const requests: Received[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const status = statusFor(requests.length);
      requests.push({
        headers: Object.fromEntries(
          Object.entries(request.headers).map(([k, v]) => [k, String(v)]),
        ),
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
        status,
      });
      response.writeHead(status).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks`, requests, close: () => server.close() };
}

const note = (n: number) =>
  [
    'NOTA DE EVOLUCION',
    `Paciente: PRUEBA WEBHOOK, NUMERO ${n}   Expediente: 7100${n}`,
    'Fecha de nacimiento: 04/09/1971',
    `Paciente estable, continua tratamiento ${n}.`,
  ].join('\n');

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;

describe('signed webhooks', () => {
  let env: TestEnvironment;
  let system: System;
  let api: ReturnType<typeof apiClient>;
  let key: string;
  let flaky: Awaited<ReturnType<typeof receiver>>;
  let broken: Awaited<ReturnType<typeof receiver>>;
  const hooks = { flaky: { id: '', secret: '' }, broken: { id: '', secret: '' } };
  const documentIds: string[] = [];

  beforeAll(async () => {
    env = await createTestEnvironment({
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      WEBHOOK_RETRY_BASE_MS: '50',
      WEBHOOK_RETRY_MAX_MS: '200',
      WEBHOOK_POLL_MS: '50',
      WEBHOOK_SECRET_KEY: randomBytes(32).toString('base64'),
    });
    system = await startSystem(env.config, createLogger('warn'));
    key = (await issueKey(env.config.database.url, TENANT)).key;
    api = apiClient(system.url as string, TENANT, key);
    flaky = await receiver((n) => (n < FIRST_FAILURES ? 500 : 200));
    broken = await receiver(() => 500);
  }, 60_000);
  afterAll(async () => {
    await system?.stop();
    flaky?.close();
    broken?.close();
    await env?.cleanup();
  });

  it('refuses URLs that are not http(s) or point at link-local or metadata addresses', async () => {
    const refused: Record<string, string> = {};
    for (const url of [
      'ftp://x',
      'not a url',
      'http://user:pw@127.0.0.1/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/',
      'http://[fe80::1]/',
      'http://metadata.google.internal/computeMetadata/v1/',
    ]) {
      const { status, body } = await api.post('/webhooks', { url, eventTypes: ['BatchOpened'] });
      expect(status, url).toBe(400);
      refused[url] = body.code;
    }
    expect(refused).toEqual({
      'ftp://x': 'WEBHOOK_URL_INVALID',
      'not a url': 'WEBHOOK_URL_INVALID',
      'http://user:pw@127.0.0.1/': 'WEBHOOK_URL_INVALID',
      'http://169.254.169.254/latest/meta-data/': 'WEBHOOK_URL_FORBIDDEN',
      'http://[fd00:ec2::254]/': 'WEBHOOK_URL_FORBIDDEN',
      'http://[fe80::1]/': 'WEBHOOK_URL_FORBIDDEN',
      'http://metadata.google.internal/computeMetadata/v1/': 'WEBHOOK_URL_FORBIDDEN',
    });
  });

  it('registers endpoints and shows each secret once', async () => {
    const flakyHook = await api.post('/webhooks', {
      url: flaky.url,
      eventTypes: CHAIN,
      description: 'flaky receiver',
    });
    expect(flakyHook.status).toBe(201);
    expect(flakyHook.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    hooks.flaky = { id: flakyHook.body.endpointId, secret: flakyHook.body.secret };
    const brokenHook = await api.post('/webhooks', {
      url: broken.url,
      eventTypes: ['DocumentUploaded'],
    });
    expect(brokenHook.status).toBe(201);
    hooks.broken = { id: brokenHook.body.endpointId, secret: brokenHook.body.secret };

    const one = await api.get(`/webhooks/${hooks.flaky.id}`);
    expect(one.body).toMatchObject({ url: flaky.url, eventTypes: CHAIN, disabledAt: null });
    expect(one.body).not.toHaveProperty('secret');
    const all = await api.get('/webhooks');
    expect(all.body.endpoints.map((e: { endpointId: string }) => e.endpointId).sort()).toEqual(
      [hooks.flaky.id, hooks.broken.id].sort(),
    );
    expect(JSON.stringify(all.body)).not.toContain('whsec_');
    // At rest the secrets are sealed with WEBHOOK_SECRET_KEY: the database alone does not hold them.
    const owner = createPool(env.config.database.url, 1);
    try {
      const { rows } = await owner.query('SELECT secret FROM write_side.webhook_endpoints');
      expect(rows).toHaveLength(2);
      for (const { secret } of rows) {
        expect(secret).toMatch(/^sealed:v1:/);
        expect([hooks.flaky.secret, hooks.broken.secret]).not.toContain(secret);
      }
    } finally {
      await owner.end();
    }
  });

  it('delivers every event, signed, in order per document, through failures', async () => {
    for (let n = 0; n < DOCUMENTS; n++) {
      documentIds.push((await api.upload(Buffer.from(note(n)), `nota-${n}.txt`)).documentId);
    }
    const verifier = new Webhook(hooks.flaky.secret);
    const accepted = () => flaky.requests.filter((r) => r.status === 200);
    // Each document's chain, in the order the receiver accepted it, each webhook-id once.
    const chains = () => {
      const seen = new Set<string>();
      const byDocument = new Map<string, string[]>();
      for (const request of accepted()) {
        const id = request.headers['webhook-id'] as string;
        if (seen.has(id)) continue;
        seen.add(id);
        const event = JSON.parse(request.body);
        const chain = byDocument.get(event.metadata.aggregateId) ?? [];
        chain.push(event.type);
        byDocument.set(event.metadata.aggregateId, chain);
      }
      return byDocument;
    };
    await eventually(() => {
      for (const id of documentIds) expect(chains().get(id), id).toEqual(CHAIN);
    }, 90_000);
    expect([...chains().keys()].sort()).toEqual([...documentIds].sort());

    for (const request of flaky.requests) {
      const event = verifier.verify(request.body, request.headers) as {
        type: string;
        metadata: { eventId: string; tenantId: string; occurredAt: number };
        data: object;
      };
      expect(request.headers['webhook-id']).toBe(event.metadata.eventId);
      expect(event.metadata.tenantId).toBe(TENANT);
      expect(event.data).toEqual(expect.any(Object));
    }
    // A signature made with another secret, or over another body, does not verify.
    const [first] = flaky.requests as [Received];
    expect(() => new Webhook(hooks.broken.secret).verify(first.body, first.headers)).toThrow();
    expect(() => verifier.verify(`${first.body} `, first.headers)).toThrow();
    const uploaded = JSON.parse(
      (accepted().find((r) => r.body.includes('"DocumentUploaded"')) as Received).body,
    );
    expect(uploaded.data).toMatchObject({ fileName: expect.stringMatching(/^nota-\d\.txt$/) });

    // The first requests failed and were tried again: the log counts them.
    // The receiver answers before the attempt is recorded: wait for the last record.
    const log = await eventually(async () => {
      const { body } = await api.get(`/webhooks/${hooks.flaky.id}/deliveries`);
      expect(body.deliveries).toHaveLength(DOCUMENTS * CHAIN.length);
      expect(body.deliveries.every((d: { status: string }) => d.status === 'delivered')).toBe(true);
      return body;
    });
    const attempts = log.deliveries.reduce(
      (n: number, d: { attempts: number }) => n + d.attempts,
      0,
    );
    expect(attempts).toBe(flaky.requests.length);
    expect(attempts).toBe(DOCUMENTS * CHAIN.length + FIRST_FAILURES);
    const retried = log.deliveries.filter((d: { attempts: number }) => d.attempts > 1);
    expect(retried.length).toBeGreaterThan(0);
    for (const delivery of retried) {
      expect(delivery).toMatchObject({ lastStatusCode: 200, lastError: null });
      expect(delivery.deliveredAt).toEqual(expect.any(String));
    }

    // Latency from the event to its acceptance, for deliveries that needed one attempt.
    const firstTry = log.deliveries
      .filter((d: { attempts: number }) => d.attempts === 1)
      .map((d: { eventId: string }) => d.eventId);
    const latencies = accepted()
      .filter((r) => firstTry.includes(r.headers['webhook-id']))
      .map((r) => r.at - JSON.parse(r.body).metadata.occurredAt)
      .sort((a, b) => a - b);
    expect(latencies.length).toBeGreaterThan(DOCUMENTS);
    console.info(
      `webhook latency event→receiver over ${latencies.length} deliveries: ` +
        `p50 ${quantile(latencies, 0.5)} ms, p95 ${quantile(latencies, 0.95)} ms, ` +
        `max ${latencies.at(-1)} ms`,
    );
  }, 120_000);

  it('gives up on a delivery after its attempts, records it failed, and goes on', async () => {
    const log = await eventually(async () => {
      const { body } = await api.get(`/webhooks/${hooks.broken.id}/deliveries`);
      expect(body.deliveries).toHaveLength(DOCUMENTS);
      for (const delivery of body.deliveries) expect(delivery.status).toBe('failed');
      return body.deliveries;
    }, 30_000);
    for (const delivery of log) {
      expect(delivery).toMatchObject({
        eventType: 'DocumentUploaded',
        attempts: MAX_ATTEMPTS,
        lastStatusCode: 500,
        lastError: 'HTTP 500',
        deliveredAt: null,
      });
    }
    expect(broken.requests).toHaveLength(DOCUMENTS * MAX_ATTEMPTS);
    await eventually(async () => {
      const metrics = await (await fetch(`${system.url}/metrics`)).text();
      const count = (outcome: string) =>
        Number(
          new RegExp(`docstream_webhook_deliveries_total\\{outcome="${outcome}"\\} (\\d+)`).exec(
            metrics,
          )?.[1],
        );
      expect(count('failed')).toBe(DOCUMENTS);
      expect(count('delivered')).toBe(DOCUMENTS * CHAIN.length);
      expect(count('retrying')).toBe(FIRST_FAILURES + DOCUMENTS * (MAX_ATTEMPTS - 1));
    });
  }, 60_000);

  it('redelivers a logged delivery with the same id and body', async () => {
    const { body: log } = await api.get(`/webhooks/${hooks.flaky.id}/deliveries`);
    const delivery = log.deliveries.at(-1);
    const original = flaky.requests.find(
      (r) => r.headers['webhook-id'] === delivery.eventId && r.status === 200,
    ) as Received;
    const queued = await api.post(
      `/webhooks/${hooks.flaky.id}/deliveries/${delivery.deliveryId}/redeliver`,
      {},
    );
    expect(queued.status).toBe(202);
    expect(queued.body).toMatchObject({ deliveryId: delivery.deliveryId, status: 'pending' });
    const again = await eventually(() => {
      const sent = flaky.requests.filter((r) => r.headers['webhook-id'] === delivery.eventId);
      expect(sent.at(-1)?.at).toBeGreaterThan(original.at);
      return sent.at(-1) as Received;
    });
    expect(again.body).toBe(original.body);
    expect(new Webhook(hooks.flaky.secret).verify(again.body, again.headers)).toEqual(
      JSON.parse(original.body),
    );
    await eventually(async () => {
      const { body } = await api.get(`/webhooks/${hooks.flaky.id}/deliveries?status=delivered`);
      const after = body.deliveries.find(
        (d: { deliveryId: string }) => d.deliveryId === delivery.deliveryId,
      );
      expect(after).toMatchObject({ attempts: delivery.attempts + 1, lastStatusCode: 200 });
    });
  });

  it('disables an endpoint: nothing more is sent to it', { timeout: 90_000 }, async () => {
    const disabled = await fetch(`${system.url}/webhooks/${hooks.broken.id}`, {
      method: 'DELETE',
      headers: bearer(key),
    });
    expect(disabled.status).toBe(200);
    expect((await disabled.json()).disabledAt).toEqual(expect.any(String));
    const before = broken.requests.length;
    const { documentId } = await api.upload(Buffer.from(note(DOCUMENTS)), 'after.txt');
    // The enabled endpoint hears of the new document; the disabled one does not.
    await eventually(() => {
      const bodies = flaky.requests.map((r) => r.body);
      expect(bodies.some((b) => b.includes(documentId) && b.includes('"DocumentClassified"'))).toBe(
        true,
      );
    }, 60_000);
    expect(broken.requests.length).toBe(before);
    const { body: log } = await api.get(`/webhooks/${hooks.broken.id}/deliveries`);
    expect(log.deliveries).toHaveLength(DOCUMENTS);
    const redeliver = await api.post(
      `/webhooks/${hooks.broken.id}/deliveries/5c0ffee0-0000-4000-8000-000000000000/redeliver`,
      {},
    );
    expect(redeliver).toMatchObject({ status: 409, body: { code: 'WEBHOOK_DISABLED' } });
  });
});
