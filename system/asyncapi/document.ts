import { readFileSync } from 'node:fs';
import type { ITopicConfig } from 'kafkajs';
import type { Config } from '../../infra/config.ts';
import { topicNames } from '../../infra/kafka/topics.ts';
import { byTenantTopic } from '../../processors/match-patient/by-tenant.ts';
import { type AggregateKind, EVENT_CATALOG, EVENT_TYPES } from '../../schemas/catalog.ts';
import {
  DEAD_LETTER_CONSUMERS,
  internalTopicConfigs,
  REDRIVE_CONSUMERS,
  systemTopicConfigs,
} from '../topics.ts';
import {
  deadLetterMessage,
  eventMessage,
  KAFKA_BINDING,
  KEY_OF,
  matchRequestMessage,
  redrivenMessage,
} from './messages.ts';

const { version } = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as { version: string };

const SECURITY_SCHEMES = {
  'scram-sha-512': 'scramSha512',
  'scram-sha-256': 'scramSha256',
  plain: 'plain',
} as const;

const DESCRIPTION = `The Kafka topics docstream writes, for the systems that read them.

- **Events**: one log per kind of aggregate, each event an Avro record (an \`envelope\` with the
  event id, type, time, tenant, aggregate id, correlation, causation and actor, and the event's
  \`data\`). A message's key is its aggregate's id (the tenant's, on the audit log); keys are
  placed with the murmur2 partitioner, as the Java clients do, so all of a key's events are on
  one partition, in the order they happened. There is no order between keys.
- **Wire format** (Confluent): byte 0 is \`0\`, bytes 1-4 the schema id (big-endian), then the
  Avro binary encoding. Fetch the writer schema by id from the registry
  (\`GET <registry>/schemas/ids/<id>\`, no credential needed) and resolve it against the schema
  here: schemas evolve BACKWARD compatible (new fields are optional with a default). Each schema
  is registered under \`<topic>-<record full name>\` (TopicRecordNameStrategy); several event
  types share one topic.
- **Headers**: \`event-type\`, \`tenant-id\`, \`correlation-id\`, \`event-id\`, UTF-8 strings,
  so a consumer can skip events it does not want without decoding them.
- **Read committed only**: processors write their events and their input offsets in one Kafka
  transaction. A consumer must set \`isolation.level=read_committed\`: with read_uncommitted it
  also sees the events of transactions that were aborted (after a crash, the same work is done
  again and written a second time). A consumer's own restart delivers again what it had not
  committed: make handling idempotent, e.g. on \`event-id\`.
- **Access**: SASL (SCRAM-SHA-512 by default; see the server's security). The local stack's \`downstream\` principal may Read and Describe
  the topics whose names start with the prefix (\`docstream.\` by default) with consumer groups
  whose names start with \`downstream.\`; it may write nothing.
- **Dead letters** (\`<prefix>.dlq.<consumer>\`) and **redrive** topics
  (\`<prefix>.redrive.<processor>\`) hold copies of original messages; they are for operators,
  not for following the log.`;

interface TopicRole {
  id: string;
  title: string;
  description: string;
  messages: Record<string, { $ref: string }>;
}

const ref = (path: string) => ({ $ref: `#/components/messages/${path}` });

/** How each topic the system provisions is described; a topic of an unknown kind throws. */
function topicRoles(prefix: string): Map<string, TopicRole> {
  const names = topicNames(prefix);
  const roles = new Map<string, TopicRole>();
  for (const [kind, topic] of Object.entries(names.events) as [AggregateKind, string][]) {
    const types = EVENT_TYPES.filter((t) => EVENT_CATALOG[t].aggregate === kind);
    roles.set(topic, {
      id: `${kind}-events`,
      title: `The ${kind} log`,
      description: `Every ${kind} event, keyed by ${KEY_OF[kind]}.`,
      messages: Object.fromEntries(types.map((t) => [t, ref(t)])),
    });
  }
  for (const consumer of DEAD_LETTER_CONSUMERS) {
    roles.set(names.deadLetter(consumer), {
      id: `dlq-${consumer}`,
      title: `Dead letters of ${consumer}`,
      description: `Messages ${consumer} gave up on, with why and where they were read.`,
      messages: { DeadLetter: ref('DeadLetter') },
    });
  }
  for (const consumer of REDRIVE_CONSUMERS) {
    roles.set(names.redrive(consumer), {
      id: `redrive-${consumer}`,
      title: `Redrive of ${consumer}`,
      description: `Dead letters sent back to ${consumer} alone, to try again.`,
      messages: { Redriven: ref('Redriven') },
    });
  }
  roles.set(byTenantTopic(names), {
    id: 'match-patient-by-tenant',
    title: 'Patient matching requests, by tenant',
    description:
      "Internal to the patient matcher: copies of the document log's `EntitiesExtracted`, keyed " +
      'and partitioned by tenant, so the replica that owns a partition decides for its tenants ' +
      'alone. Not a log to follow (read the document log); its partition count fixes which ' +
      'partition a tenant falls on, so drain the matcher before changing it.',
    messages: { MatchRequest: ref('MatchRequest') },
  });
  return roles;
}

function topicBinding(topic: ITopicConfig) {
  const value = (name: string, value: string) => {
    if (name === 'cleanup.policy') return value.split(',');
    return /^-?\d+$/.test(value) ? Number(value) : value;
  };
  return {
    topic: topic.topic,
    partitions: topic.numPartitions,
    replicas: topic.replicationFactor,
    topicConfiguration: Object.fromEntries(
      (topic.configEntries ?? []).map((e) => [e.name, value(e.name, e.value)]),
    ),
    bindingVersion: KAFKA_BINDING,
  };
}

/**
 * The AsyncAPI 3 document of every topic the system provisions, from the topic catalog and the
 * Avro schemas: what downstream systems may rely on.
 */
export function asyncApiDocument(config: Config) {
  const names = topicNames(config.topics.prefix);
  const roles = topicRoles(config.topics.prefix);
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  for (const topic of [
    ...systemTopicConfigs(config, names),
    ...internalTopicConfigs(config, names),
  ]) {
    const role = roles.get(topic.topic);
    if (!role) throw new Error(`no AsyncAPI description for topic ${topic.topic}`);
    channels[role.id] = {
      address: topic.topic,
      title: role.title,
      description: role.description,
      messages: role.messages,
      bindings: { kafka: topicBinding(topic) },
    };
    operations[`send-${role.id}`] = {
      action: 'send',
      title: `docstream writes ${topic.topic}`,
      summary: role.description,
      channel: { $ref: `#/channels/${role.id}` },
      messages: Object.keys(role.messages).map((m) => ({
        $ref: `#/channels/${role.id}/messages/${m}`,
      })),
    };
  }
  const sasl = config.kafka.sasl;
  const scheme = sasl ? SECURITY_SCHEMES[sasl.mechanism] : undefined;
  return {
    asyncapi: '3.0.0',
    info: { title: 'docstream events', version, description: DESCRIPTION },
    defaultContentType: 'application/octet-stream',
    servers: {
      kafka: {
        host: config.kafka.brokers.join(','),
        protocol: 'kafka',
        description: 'The bootstrap brokers.',
        ...(scheme ? { security: [{ $ref: '#/components/securitySchemes/sasl' }] } : {}),
        bindings: {
          kafka: {
            schemaRegistryUrl: config.registry.url,
            schemaRegistryVendor: 'confluent',
            bindingVersion: KAFKA_BINDING,
          },
        },
      },
    },
    channels,
    operations,
    components: {
      messages: {
        ...Object.fromEntries(
          EVENT_TYPES.map((type) => {
            const { aggregate } = EVENT_CATALOG[type];
            return [type, eventMessage(type, aggregate, names.events[aggregate])];
          }),
        ),
        DeadLetter: deadLetterMessage,
        Redriven: redrivenMessage,
        MatchRequest: matchRequestMessage(names.events.document),
      },
      securitySchemes: scheme
        ? {
            sasl: {
              type: scheme,
              description: `SASL ${sasl?.mechanism.toUpperCase()} over the broker's listener.`,
            },
          }
        : {},
      correlationIds: {
        correlation: {
          description: 'The upload or batch an event belongs to',
          location: '$message.header#/correlation-id',
        },
      },
    },
  };
}
