import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../../infra/kafka/client.ts';
import { readTopic } from '../../infra/kafka/read-topic.ts';
import { createLogger } from '../../infra/logger.ts';
import { createSchemaRegistry } from '../../schemas/codec.ts';
import { asyncApiDocument } from '../../system/asyncapi/document.ts';
import { type System, startSystem } from '../../system/system.ts';
import { apiClient } from '../support/api-client.ts';
import { issueKey } from '../support/credentials.ts';
import { createTestEnvironment, eventually, type TestEnvironment } from '../support/environment.ts';

const TENANT = 'clinic-contract';

interface Contract {
  channels: Record<string, { address: string; messages: Record<string, unknown> }>;
  components: {
    messages: Record<
      string,
      {
        headers: { required: string[]; properties: Record<string, { const?: string }> };
        payload: { schema: object };
        'x-schema-subject': string;
      }
    >;
  };
}

/**
 * What a downstream consumer would do with the served document: read each log committed only,
 * find each message's description, and decode it with the schema the document gives.
 */
describe('the AsyncAPI contract, served by the API and kept by the log', () => {
  let env: TestEnvironment;
  let system: System;
  let kafka: Kafka;
  let admin: Admin;
  let registry: SchemaRegistry;

  beforeAll(async () => {
    env = await createTestEnvironment({ PROCESSORS: 'none' });
    system = await startSystem(env.config, createLogger('warn'));
    kafka = createKafka(env.config, createLogger('silent'));
    admin = kafka.admin();
    await admin.connect();
    registry = createSchemaRegistry(env.config.registry.url, env.config.registry.auth);
  });
  afterAll(async () => {
    await admin?.disconnect();
    await system?.stop();
    await env?.cleanup();
  });

  const served = async (): Promise<Contract> => {
    const response = await fetch(`${system.url}/asyncapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    return response.json();
  };

  it('serves the document of this deployment to loopback callers, listed in the OpenAPI one', async () => {
    expect(await served()).toEqual(JSON.parse(JSON.stringify(asyncApiDocument(env.config))));
    const openapi = await (await fetch(`${system.url}/docs/json`)).json();
    expect(openapi.paths['/asyncapi.json']?.get?.summary).toMatch(/AsyncAPI/);
  });

  it('describes the keys, headers, schema ids and bodies of what docstream writes', async () => {
    const contract = await served();
    const api = apiClient(
      system.url as string,
      TENANT,
      (await issueKey(env.config.database.url, TENANT)).key,
    );
    const { documentId } = await api.upload(Buffer.from('Nota de evolucion.\n'), 'nota.txt');
    const batch = await api.post('/batches', { name: 'contract' });
    expect(batch.status).toBe(201);
    // A read of the document: recorded on the audit log, keyed by the tenant.
    await eventually(async () => expect((await api.document(documentId)).status).toBe(200), 20_000);

    const keys: Record<string, string> = {};
    for (const channel of Object.values(contract.channels).filter((c) =>
      c.address.endsWith('.events'),
    )) {
      if (channel.address.endsWith('.patient.events')) continue; // nothing matches without processors
      const messages = await eventually(async () => {
        const found = await readTopic(kafka, admin, channel.address);
        expect(found.length, channel.address).toBeGreaterThan(0);
        return found;
      }, 20_000);
      for (const message of messages) {
        const type = message.headers['event-type'] as string;
        expect(Object.keys(channel.messages), channel.address).toContain(type);
        const spec = contract.components.messages[type];
        if (!spec) throw new Error(`no message ${type}`);
        for (const header of spec.headers.required) {
          expect(message.headers[header], header).toEqual(expect.any(String));
        }
        expect(type).toBe(spec.headers.properties['event-type']?.const);

        const value = message.value as Buffer;
        expect(value[0]).toBe(0);
        expect(value.readInt32BE(1)).toBe(
          await registry.getLatestSchemaId(spec['x-schema-subject']),
        );
        const { envelope } = avro.Type.forSchema(spec.payload.schema as never).fromBuffer(
          value.subarray(5),
        ) as { envelope: Record<string, string> };
        expect(envelope).toMatchObject({
          type,
          eventId: message.headers['event-id'],
          tenantId: message.headers['tenant-id'],
          correlationId: message.headers['correlation-id'],
          aggregateId: message.key,
        });
        keys[type] = message.key as string;
      }
    }
    expect(keys).toEqual({
      DocumentUploaded: documentId,
      BatchOpened: batch.body.batchId,
      PatientDataRead: TENANT,
    });
  }, 90_000);
});
