import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../../infra/kafka/client.ts';
import { provisionTopics } from '../../infra/kafka/topics.ts';
import { createLogger } from '../../infra/logger.ts';
import {
  createPartitionProducers,
  type PartitionProducers,
} from '../../processors/runtime/partition-producers.ts';
import { createTestEnvironment, type TestEnvironment } from '../support/environment.ts';

const ROUNDS = 60;

describe('partition producers against Kafka', () => {
  let env: TestEnvironment;
  let kafka: Kafka;
  let admin: Admin;
  let producers: PartitionProducers;
  let at: { topic: string; partition: number };
  let groupId: string;

  beforeAll(async () => {
    env = await createTestEnvironment();
    kafka = createKafka(env.config, createLogger('silent'));
    admin = kafka.admin();
    await admin.connect();
    at = { topic: `${env.config.topics.prefix}.input`, partition: 0 };
    groupId = `${env.config.topics.prefix}.worker`;
    await provisionTopics(admin, [{ topic: at.topic, numPartitions: 1 }]);
    producers = createPartitionProducers({ kafka, admin, groupId, transactionTimeoutMs: 30_000 });
  });
  afterAll(async () => {
    await producers?.close();
    await admin?.disconnect();
    await env?.cleanup();
  });

  it('resumes past every chunk committed, though the group can still show the offset before it', async () => {
    let groupBehind = 0;
    for (let next = 1; next <= ROUNDS; next++) {
      await producers.use(at, async (claimed) => {
        expect(claimed.resumeFrom).toBe(BigInt(next - 1));
        const transaction = await claimed.producer.transaction();
        await transaction.send({ topic: at.topic, messages: [{ value: `chunk ${next}` }] });
        await transaction.sendOffsets({
          consumerGroupId: groupId,
          topics: [{ topic: at.topic, partitions: [{ partition: 0, offset: String(next) }] }],
        });
        await transaction.commit();
        claimed.committed(BigInt(next));
      });
      // What kafkajs reads back when the group rebalances and this member keeps the partition.
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [at.topic] });
      if (offsets?.partitions[0]?.offset !== String(next)) groupBehind++;
    }
    console.log(
      `the group's committed offset lagged a just-committed transaction ${groupBehind} times in ${ROUNDS}`,
    );
    const last = await producers.use(at, async (claimed) => claimed.resumeFrom);
    expect(last).toBe(BigInt(ROUNDS));
  });

  it('reads the committed offset afresh once the partition was let go and claimed again', async () => {
    producers.assign([], false);
    const resumeFrom = await producers.use(at, async (claimed) => claimed.resumeFrom);
    // The claim waits for the last transaction to complete, so the group's offset is current.
    expect(resumeFrom).toBe(BigInt(ROUNDS));
  });
});
