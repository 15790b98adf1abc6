import {
  type AclEntry,
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  type Admin,
  ResourcePatternTypes,
} from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaSasl } from '../../infra/config.ts';
import { createKafka } from '../../infra/kafka/client.ts';
import { readThrough, topicEnds } from '../../infra/kafka/read-topic.ts';
import { createLogger } from '../../infra/logger.ts';
import type { DomainEvent } from '../../schemas/events.ts';
import { documentUploaded } from '../support/events.ts';
import { createHarness, type Harness, readTopic } from '../support/harness.ts';

/** The stack's other principals, with the local-only defaults infra/stack/stack.sh gives them. */
const admin: KafkaSasl = {
  mechanism: 'scram-sha-512',
  username: process.env.KAFKA_ADMIN_USERNAME ?? 'kafka-admin',
  password: process.env.KAFKA_ADMIN_PASSWORD ?? 'kafka-admin-local-only',
};
const downstream: KafkaSasl = {
  mechanism: 'scram-sha-512',
  username: process.env.KAFKA_DOWNSTREAM_USERNAME ?? 'downstream',
  password: process.env.KAFKA_DOWNSTREAM_PASSWORD ?? 'downstream-local-only',
};
const stackDownstreamTopics = process.env.KAFKA_DOWNSTREAM_TOPIC_PREFIX ?? 'docstream.';

/** What the broker enforces: who may connect at all, and what each principal may do. */
describe('Kafka authentication and ACLs on the stack', () => {
  let h: Harness;
  let superAdmin: Admin;
  let topic: string;
  let group: string;
  let grants: AclEntry[];
  const appended: DomainEvent = documentUploaded();

  const kafkaAs = (sasl: KafkaSasl | undefined) =>
    createKafka({ ...h.config, kafka: { ...h.config.kafka, sasl } }, createLogger('silent'), {
      retry: { retries: 0 },
    });

  /** Lists topics as `sasl`: the cheapest request that needs an authenticated connection. */
  async function listTopicsAs(sasl: KafkaSasl | undefined) {
    const client = kafkaAs(sasl).admin();
    try {
      await client.connect();
      return await client.listTopics();
    } finally {
      await client.disconnect();
    }
  }

  beforeAll(async () => {
    h = await createHarness();
    topic = h.topics.events.document;
    // The stack lets downstream read the real event log; this file's topics have their own prefix.
    group = `downstream.${h.config.topics.prefix}.reader`;
    const grant = (
      resourceType: AclResourceTypes,
      resourceName: string,
      resourcePatternType: ResourcePatternTypes,
      operation: AclOperationTypes,
    ): AclEntry => ({
      resourceType,
      resourceName,
      resourcePatternType,
      operation,
      principal: `User:${downstream.username}`,
      host: '*',
      permissionType: AclPermissionTypes.ALLOW,
    });
    const prefix = `${h.config.topics.prefix}.`;
    grants = [
      grant(AclResourceTypes.TOPIC, prefix, ResourcePatternTypes.PREFIXED, AclOperationTypes.READ),
      grant(
        AclResourceTypes.TOPIC,
        prefix,
        ResourcePatternTypes.PREFIXED,
        AclOperationTypes.DESCRIBE,
      ),
      grant(AclResourceTypes.GROUP, group, ResourcePatternTypes.LITERAL, AclOperationTypes.READ),
    ];
    superAdmin = kafkaAs(admin).admin();
    await superAdmin.connect();
    await superAdmin.createAcls({ acl: grants });
    await h.eventLog.append(appended);
  });

  afterAll(async () => {
    await superAdmin?.deleteAcls({ filters: grants }).catch(() => {});
    await superAdmin?.disconnect();
    await h?.close();
  });

  it('refuses a client without credentials', async () => {
    // The SASL listener hangs up on a client that sends requests before authenticating.
    await expect(listTopicsAs(undefined)).rejects.toMatchObject({
      name: 'KafkaJSConnectionClosedError',
    });
    expect(await listTopicsAs(h.config.kafka.sasl)).toContain(topic);
  });

  it('refuses a wrong password', async () => {
    const own = h.config.kafka.sasl;
    if (!own) throw new Error('KAFKA_SASL_MECHANISM is none: the stack takes SCRAM-SHA-512');
    const wrong = { ...own, password: `${own.password}-wrong` };
    await expect(listTopicsAs(wrong)).rejects.toMatchObject({
      name: 'KafkaJSSASLAuthenticationError',
      message: expect.stringMatching(/SCRAM SHA512 authentication failed/),
    });
  });

  it('lets docstream produce and read back its events', async () => {
    const event = documentUploaded();
    await h.eventLog.append(event);
    const read = await Promise.all(
      (await readTopic(h.kafka, h.admin, topic)).map((m) => h.codec.decode(m.value as Buffer)),
    );
    expect(read.map((e) => e.metadata.eventId)).toEqual(
      expect.arrayContaining([appended.metadata.eventId, event.metadata.eventId]),
    );
  });

  it('lets downstream read the event topic in its own consumer group', async () => {
    const kafka = kafkaAs(downstream);
    const reader = kafka.admin();
    await reader.connect();
    const consumer = kafka.consumer({ groupId: group });
    const values: Buffer[] = [];
    try {
      const done = readThrough(consumer, await topicEnds(reader, topic));
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          if (message.value) values.push(message.value);
        },
      });
      await done;
    } finally {
      await consumer.disconnect();
      await reader.disconnect();
    }
    const read = await Promise.all(values.map((v) => h.codec.decode(v)));
    expect(read.map((e) => e.metadata.eventId)).toContain(appended.metadata.eventId);
  });

  it('refuses downstream a write, and nothing reaches the topic', async () => {
    const before = await h.admin.fetchTopicOffsets(topic);
    const producer = kafkaAs(downstream).producer();
    await producer.connect();
    try {
      await expect(
        producer.send({ topic, messages: [{ key: 'k', value: 'forged' }] }),
      ).rejects.toMatchObject({ type: 'TOPIC_AUTHORIZATION_FAILED' });
    } finally {
      await producer.disconnect();
    }
    expect(await h.admin.fetchTopicOffsets(topic)).toEqual(before);
  });

  it('gives downstream nothing but read and describe, the event log among them', async () => {
    const { resources } = await superAdmin.describeAcls({
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      principal: `User:${downstream.username}`,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    });
    const entries = resources.flatMap((r) => r.acls.map((acl) => ({ ...r, ...acl })));
    for (const entry of entries) {
      expect(entry.permissionType).toBe(AclPermissionTypes.ALLOW);
      expect([AclOperationTypes.READ, AclOperationTypes.DESCRIBE]).toContain(entry.operation);
    }
    expect(entries).toContainEqual(
      expect.objectContaining({
        resourceType: AclResourceTypes.TOPIC,
        resourceName: stackDownstreamTopics,
        resourcePatternType: ResourcePatternTypes.PREFIXED,
        operation: AclOperationTypes.READ,
      }),
    );
  });
});
