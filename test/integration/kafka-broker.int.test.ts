import { randomBytes } from 'node:crypto';
import { ConfigResourceTypes, type Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../infra/config.ts';
import { createEventProducer, createKafka } from '../../infra/kafka/client.ts';
import { eventLogTopicConfigs, provisionTopics, topicNames } from '../../infra/kafka/topics.ts';
import { createLogger } from '../../infra/logger.ts';
import { eventually } from '../support/environment.ts';
import { readTopic } from '../support/harness.ts';

/** What docstream relies on kafkajs for, proved against the broker the stack runs. */
describe('kafkajs against the Kafka broker', () => {
  const id = randomBytes(4).toString('hex');
  const config = loadConfig({
    ...process.env,
    TOPIC_PREFIX: `test-broker-${id}`,
    TOPIC_PARTITIONS: '3',
  });
  const topics = topicNames(config.topics.prefix);
  const input = topics.events.document;
  const output = topics.events.batch;
  let kafka: Kafka;
  let admin: ReturnType<Kafka['admin']>;

  beforeAll(async () => {
    kafka = createKafka(config, createLogger('silent'));
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin.deleteTopics({ topics: Object.values(topics.events) }).catch(() => {});
    await admin.disconnect();
  });

  it('provisions topics with their partitions, unlimited retention and min.insync.replicas', async () => {
    const created = await provisionTopics(admin, eventLogTopicConfigs(config.topics, topics));
    expect(created.sort()).toEqual(Object.values(topics.events).sort());
    expect(await provisionTopics(admin, eventLogTopicConfigs(config.topics, topics))).toEqual([]);
    const metadata = await admin.fetchTopicMetadata({ topics: [input] });
    expect(metadata.topics[0]?.partitions).toHaveLength(3);
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: input,
          configNames: ['retention.ms', 'min.insync.replicas'],
        },
      ],
    });
    const entries = Object.fromEntries(
      resources[0]!.configEntries.map((e) => [e.configName, e.configValue]),
    );
    expect(entries).toEqual({ 'retention.ms': '-1', 'min.insync.replicas': '1' });
  });

  it('keeps each key in order through the idempotent producer and a consumer group', async () => {
    const producer = createEventProducer(kafka);
    await producer.connect();
    const keys = ['doc-a', 'doc-b', 'doc-c'];
    for (let i = 0; i < 10; i++) {
      await producer.send({
        topic: input,
        acks: -1,
        messages: keys.map((key) => ({ key, value: String(i) })),
      });
    }
    await producer.disconnect();
    const messages = await readTopic(kafka, admin, input);
    expect(messages).toHaveLength(30);
    for (const key of keys) {
      const ofKey = messages.filter((m) => m.key === key);
      expect(new Set(ofKey.map((m) => m.partition)).size).toBe(1);
      expect(ofKey.map((m) => m.value?.toString())).toEqual(
        Array.from({ length: 10 }, (_, i) => String(i)),
      );
    }
  });

  it('commits output and consumed offsets together in a transaction, and hides an aborted one', async () => {
    const groupId = `${config.topics.prefix}.transform`;
    const producer = createEventProducer(kafka, { transactionalId: `${groupId}-tx` });
    await producer.connect();
    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    await consumer.subscribe({ topic: input, fromBeginning: true });
    let seen = 0;
    let abortedOne = false;
    const done = new Promise<void>((resolve, reject) => {
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ topic, partition, message }) => {
          const transaction = await producer.transaction();
          try {
            await transaction.send({
              topic: output,
              messages: [{ key: message.key, value: `seen ${message.value}` }],
            });
            if (!abortedOne) {
              abortedOne = true;
              await transaction.send({
                topic: output,
                messages: [{ key: 'ghost', value: 'never visible' }],
              });
              await transaction.abort();
              throw new Error('aborted on purpose: the message is redelivered');
            }
            await transaction.sendOffsets({
              consumerGroupId: groupId,
              topics: [
                {
                  topic,
                  partitions: [{ partition, offset: (BigInt(message.offset) + 1n).toString() }],
                },
              ],
            });
            await transaction.commit();
            if (++seen === 30) resolve();
          } catch (error) {
            if (!abortedOne || (error as Error).message.startsWith('aborted')) throw error;
            reject(error);
          }
        },
      });
    });
    await done;
    await consumer.disconnect();
    await producer.disconnect();

    const out = await readTopic(kafka, admin, output);
    expect(out).toHaveLength(30);
    expect(out.some((m) => m.key === 'ghost')).toBe(false);
    const committed = await admin.fetchOffsets({ groupId, topics: [input] });
    const ends = await admin.fetchTopicOffsets(input);
    const written = ends.filter((e) => e.high !== '0');
    expect(written.length).toBeGreaterThan(0);
    for (const { partition, high } of written) {
      expect(committed[0]!.partitions.find((p) => p.partition === partition)?.offset).toBe(high);
    }
  });

  it('hides aborted transactions from a consumer that resumes before or among them', async () => {
    // Two transactions interleaved on one partition, aborted in the reverse of the order they
    // began, then a committed message.
    const topic = topics.events.patient;
    const writers = ['a', 'b'].map((name) =>
      createEventProducer(kafka, { transactionalId: `${config.topics.prefix}.${name}` }),
    );
    await Promise.all(writers.map((w) => w.connect()));
    const open = await Promise.all(writers.map((w) => w.transaction()));
    for (const step of [1, 2]) {
      for (const [i, transaction] of open.entries()) {
        await transaction.send({
          topic,
          messages: [{ partition: 0, value: `aborted ${i}.${step}` }],
        });
      }
    }
    for (const transaction of open.reverse()) await transaction.abort();
    await writers[0]!.send({ topic, acks: -1, messages: [{ partition: 0, value: 'committed' }] });
    await Promise.all(writers.map((w) => w.disconnect()));
    const end = BigInt((await admin.fetchTopicOffsets(topic)).find((p) => p.partition === 0)!.high);

    // Offset 3 is the second message of the second transaction: both began before it.
    for (const offset of ['0', '3']) {
      const groupId = `${config.topics.prefix}.resume-${offset}`;
      await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset }] });
      const consumer = kafka.consumer({ groupId });
      await consumer.connect();
      await consumer.subscribe({ topic });
      const seen: string[] = [];
      const reachedEnd = new Promise<void>((resolve) => {
        consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
          if (payload.partition === 0 && BigInt(payload.lastOffset) >= end - 1n) resolve();
        });
      });
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          if (partition === 0) seen.push(String(message.value));
        },
      });
      await reachedEnd;
      await consumer.disconnect();
      expect(seen, `resumed at ${offset}`).toEqual(['committed']);
    }
  });

  it('logs an error answer at error level only when kafkajs will not try again', async () => {
    const lines: { level: number; msg: string; error?: string }[] = [];
    const logger = createLogger('debug', {
      write: (line: string) => void lines.push(JSON.parse(line)),
    });
    const quiet = createKafka(config, logger, { retry: { retries: 0 } });
    const probe = quiet.admin();
    await probe.connect();
    try {
      const answers = () => lines.filter((l) => l.msg.startsWith('Response ') && l.level >= 40);
      // A topic this broker does not host: retriable, so a caller would be told after its tries.
      await expect(
        probe.deleteTopics({ topics: [`${config.topics.prefix}.absent`] }),
      ).rejects.toThrow();
      expect(answers()).toEqual([]);
      // More replicas than brokers: a misconfiguration no retry mends.
      const tooMany = { topic: `${config.topics.prefix}.too-many-replicas`, replicationFactor: 99 };
      await expect(probe.createTopics({ topics: [tooMany] })).rejects.toThrow();
      expect(answers().map((l) => [l.level, l.msg])).toEqual([
        [50, expect.stringMatching(/^Response CreateTopics/)],
      ]);
    } finally {
      await probe.disconnect();
    }
  });

  it('logs a group rebalance as the consumer rejoining, not as an error answer', async () => {
    const lines: { level: number; msg: string; error?: string }[] = [];
    const logger = createLogger('debug', {
      write: (line: string) => void lines.push(JSON.parse(line)),
    });
    const logged = createKafka(config, logger);
    const groupId = `${config.topics.prefix}.rebalanced`;
    const members = [0, 1].map(() =>
      logged.consumer({
        groupId,
        heartbeatInterval: 100,
        sessionTimeout: 10_000,
        maxWaitTimeInMs: 100,
      }),
    );
    const joins = [0, 0];
    try {
      for (const [n, member] of members.entries()) {
        member.on(member.events.GROUP_JOIN, () => {
          joins[n]!++;
        });
        await member.connect();
        await member.subscribe({ topic: input, fromBeginning: true });
        await member.run({ eachMessage: async () => {} });
        await eventually(() => expect(joins[n]).toBeGreaterThan(0));
      }
      // The first member heard of the second one's joining from the coordinator, and joined again.
      await eventually(() => expect(joins[0]).toBeGreaterThanOrEqual(2));
      // The consumer says so once, at warn level; the answer that told it is no error of ours.
      expect(lines.filter((l) => /rebalancing/.test(l.msg)).map((l) => l.level)).toContain(40);
      const answers = lines.filter((l) => l.msg.startsWith('Response ') && l.level >= 50);
      expect(answers.map((l) => [l.msg, l.error])).toEqual([]);
    } finally {
      await Promise.all(members.map((member) => member.disconnect()));
    }
  });
});
