import { randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type ServerResponse } from 'node:http';
import { COMPATIBILITY, SchemaType } from '@kafkajs/confluent-schema-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../infra/config.ts';
import { topicNames } from '../../infra/kafka/topics.ts';
import { eventSchema } from '../../schemas/catalog.ts';
import {
  createEventCodec,
  createSchemaRegistry,
  registerEventSchemas,
  registryAuthHeaders,
  subjectFor,
  UndecodableEventError,
} from '../../schemas/codec.ts';
import { documentUploaded } from '../support/events.ts';

const config = loadConfig();
const registry = createSchemaRegistry(config.registry.url, config.registry.auth);
const topics = topicNames(`test-registry-${randomBytes(4).toString('hex')}`);
const subject = subjectFor(topics.events.document, 'DocumentUploaded');
const v1 = eventSchema('DocumentUploaded');

/** v1 plus a field: what a later build would write. */
function withDataField(field: object) {
  const [envelope, data] = v1.fields as [unknown, { name: string; type: { fields: object[] } }];
  return {
    ...v1,
    fields: [envelope, { ...data, type: { ...data.type, fields: [...data.type.fields, field] } }],
  };
}

async function deleteSubject(name: string) {
  const url = `${config.registry.url}/subjects/${encodeURIComponent(name)}`;
  const headers = registryAuthHeaders(config.registry.auth);
  await fetch(url, { method: 'DELETE', headers });
  await fetch(`${url}?permanent=true`, { method: 'DELETE', headers });
}

const register = (schema: object) =>
  registry.register(
    { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
    { subject, compatibility: COMPATIBILITY.BACKWARD },
  );

describe('schema registry (Apicurio, Confluent-compatible API)', () => {
  let v1Id: number;

  beforeAll(async () => {
    v1Id = (await registerEventSchemas(registry, topics)).get('DocumentUploaded')!;
  });

  afterAll(() => deleteSubject(subject));

  it('registers each event under <topic>-<record full name> with BACKWARD compatibility', async () => {
    const response = await fetch(`${config.registry.url}/config/${encodeURIComponent(subject)}`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { compatibilityLevel: string }).compatibilityLevel).toBe(
      'BACKWARD',
    );
    expect(await registry.getLatestSchemaId(subject)).toBe(v1Id);
  });

  it('is idempotent: registering the same schemas again returns the same id', async () => {
    expect((await registerEventSchemas(registry, topics)).get('DocumentUploaded')).toBe(v1Id);
  });

  it('refuses an incompatible change: a new field without a default', async () => {
    await expect(register(withDataField({ name: 'pageCount', type: 'int' }))).rejects.toMatchObject(
      { status: 409 },
    );
  });

  it('accepts a compatible change, and an old reader decodes the new event', async () => {
    const v2 = withDataField({ name: 'sourceSystem', type: ['null', 'string'], default: null });
    const { id: v2Id } = await register(v2);
    expect(v2Id).not.toBe(v1Id);

    const event = documentUploaded();
    const written = await registry.encode(v2Id, {
      envelope: { ...event.metadata, type: event.type },
      data: { ...event.data, sourceSystem: 'HIS-7' },
    });
    const oldReader = createEventCodec(registry, new Map([['DocumentUploaded', v1Id]]));
    const read = await oldReader.decode(written);
    expect(read).toEqual(event);
  });

  it('refuses to decode bytes that are not in the wire format or name an unknown schema', async () => {
    const codec = createEventCodec(registry, new Map([['DocumentUploaded', v1Id]]));
    await expect(codec.decode(Buffer.from('plain text'))).rejects.toBeInstanceOf(
      UndecodableEventError,
    );
    const unknownId = Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 1, 2]);
    await expect(codec.decode(unknownId)).rejects.toBeInstanceOf(UndecodableEventError);
  });
});

describe('a registry that does not answer', () => {
  const scratch = `${topics.events.document}-unanswered`;
  const target = new URL(config.registry.url);
  const held: ServerResponse[] = [];
  // Relays each request to the registry, except the first write, which it never answers.
  const relay = createServer((request, response) => {
    if (held.length === 0 && request.method === 'POST') {
      held.push(response);
      return;
    }
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: request.url,
        method: request.method,
        headers: request.headers,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  });

  beforeAll(() => new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve)));
  afterAll(async () => {
    relay.closeAllConnections();
    await new Promise((resolve) => relay.close(resolve));
    await deleteSubject(scratch);
  });

  it('times a write out and tries it again, so a registration gets through', async () => {
    const { port } = relay.address() as { port: number };
    const relayed = new URL(config.registry.url);
    relayed.port = String(port);
    const client = createSchemaRegistry(
      relayed.href.replace(/\/$/, ''),
      config.registry.auth,
      1000,
    );
    const { id } = await client.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(v1) },
      { subject: scratch },
    );
    expect(held).toHaveLength(1);
    expect(await registry.getLatestSchemaId(scratch)).toBe(id);
  });
});

// SCHEMA_REGISTRY_USERNAME empty: a registry that takes anyone (the stack with STACK_KEYCLOAK=0).
describe.skipIf(!config.registry.auth)('schema registry credentials', () => {
  const auth = config.registry.auth!;
  const scratch = `${topics.events.document}-credentials`;
  const versions = `${config.registry.url}/subjects/${encodeURIComponent(scratch)}/versions`;
  const post = (headers: Record<string, string>) =>
    fetch(versions, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json', ...headers },
      body: JSON.stringify({ schema: JSON.stringify(v1) }),
    });

  afterAll(() => deleteSubject(scratch));

  it('refuses a schema from a caller without credentials, and stores nothing', async () => {
    expect((await post({})).status).toBe(401);
    expect((await fetch(versions)).status).toBe(404);
    await expect(
      createSchemaRegistry(config.registry.url, undefined).register(
        { type: SchemaType.AVRO, schema: JSON.stringify(v1) },
        { subject: scratch },
      ),
    ).rejects.toMatchObject({ status: 401 });
    expect((await fetch(versions)).status).toBe(404);
  });

  it('refuses a wrong secret', async () => {
    const wrong = registryAuthHeaders({ ...auth, password: `${auth.password}-wrong` });
    expect((await post(wrong)).status).toBe(401);
    expect((await fetch(versions)).status).toBe(404);
  });

  it("takes docstream's credentials; anyone reads the schema back by its id", async () => {
    const response = await post(registryAuthHeaders(auth));
    expect(response.status).toBe(200);
    const { id } = (await response.json()) as { id: number };
    const byId = await fetch(`${config.registry.url}/schemas/ids/${id}`);
    expect(byId.status).toBe(200);
    const { schema } = (await byId.json()) as { schema: string };
    expect((JSON.parse(schema) as { name: string }).name).toBe(v1.name);
  });
});
