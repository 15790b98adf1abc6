import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventProducer, createKafka } from '../../infra/kafka/client.ts';
import { readTopic } from '../../infra/kafka/read-topic.ts';
import { provisionTopics } from '../../infra/kafka/topics.ts';
import { createLogger } from '../../infra/logger.ts';
import { runCampaign } from '../support/campaign.ts';
import { type Cluster, startCluster } from '../support/cluster.ts';
import { createTestEnvironment, eventually, type TestEnvironment } from '../support/environment.ts';

// Ports of its own, beside the stack's Kafka and a running `npm run campaign` (19092…).
const PORT_BASE = 19392;
const DOCUMENTS = 200;

describe('the fault campaign, shortened, on a three-node cluster', () => {
  let cluster: Cluster;
  let env: TestEnvironment;
  const since = (t: number) => `${((performance.now() - t) / 1000).toFixed(0)} s`;

  beforeAll(async () => {
    const t = performance.now();
    const dataDir = await mkdtemp(path.join(tmpdir(), 'docstream-cluster-'));
    cluster = await startCluster({ dataDir, portBase: PORT_BASE, removeOnStop: true });
    console.log(`three-node Kafka cluster started in ${since(t)}`);
    env = await createTestEnvironment({ ...cluster.env, TOPIC_PARTITIONS: '6' });
  }, 600_000);

  afterAll(async () => {
    await env?.cleanup();
    const t = performance.now();
    await cluster?.stop();
    console.log(`three-node Kafka cluster stopped in ${since(t)}`);
  }, 300_000);

  it('loses and duplicates nothing through a processor kill -9 and a broker kill -9', async () => {
    const report = await runCampaign(env, {
      documents: DOCUMENTS,
      replicas: 2,
      processorKills: 1,
      cluster,
      brokerDownMs: 5000,
      drainTimeoutMs: 5 * 60_000,
    });
    console.log(
      `${report.accepted} accepted, refused ${JSON.stringify(report.refusedFor)}; ` +
        `${report.decided} decided, ${report.rejected} rejected, ` +
        `${report.failed} failed; drained ${report.drainSeconds.toFixed(1)} s after the last upload; ` +
        report.faults.join('; '),
    );
    expect(report.faults.filter((f) => /processor process \d+ killed -9/.test(f))).toHaveLength(1);
    expect(report.faults.filter((f) => /Kafka node \d+ killed -9/.test(f))).toHaveLength(1);
    expect(report.faults.filter((f) => /Kafka node \d+ started again/.test(f))).toHaveLength(1);
    expect(report.accepted).toBe(DOCUMENTS);
    expect(report.lost).toEqual([]);
    expect(report.duplicatedKeys).toEqual([]);
    expect(report.patientsDuplicated).toBe(0);
    expect(report.patientsRegistered).toBeGreaterThan(0);
    // The broken PDFs were rejected, the rest went through: each kind reached its own end.
    expect(report.rejected).toBe(report.acceptedByKind.reject);
    expect(report.decided + report.failed).toBe(DOCUMENTS - report.acceptedByKind.reject);
  }, 1_800_000);

  it('keeps every acknowledged append exactly once when the leader is killed under concurrent appends', async () => {
    const logger = createLogger('silent');
    const kafka = createKafka(env.config, logger);
    const admin = kafka.admin();
    const producer = createEventProducer(kafka);
    const topic = `${env.config.topics.prefix}.appends-through-a-kill`;
    await admin.connect();
    await producer.connect();
    try {
      await provisionTopics(admin, [
        {
          topic,
          numPartitions: 1,
          replicationFactor: 3,
          configEntries: [{ name: 'min.insync.replicas', value: '2' }],
        },
      ]);
      // Every node learns of a new topic a moment after its leader has been chosen.
      const leader = await eventually(async () => {
        const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
        const node = metadata?.partitions[0]?.leader;
        if (node === undefined || node < 1) throw new Error('no leader yet');
        return node;
      });

      // Writers append one message per call, as uploads do, all to the partition whose leader dies.
      const acknowledged: string[] = [];
      let writing = true;
      let serial = 0;
      const writers = Array.from({ length: 16 }, async () => {
        while (writing) {
          const value = `append-${serial++}`;
          const sent = await producer
            .send({ topic, acks: -1, messages: [{ key: 'one-key', value }] })
            .then(() => true)
            .catch(() => false);
          if (sent) acknowledged.push(value);
        }
      });
      await eventually(() => expect(acknowledged.length).toBeGreaterThanOrEqual(300), 120_000);
      await cluster.kill(leader);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      await cluster.up();
      const afterRestart = acknowledged.length;
      await eventually(
        () => expect(acknowledged.length).toBeGreaterThanOrEqual(afterRestart + 300),
        120_000,
      );
      writing = false;
      await Promise.all(writers);

      const written = (await readTopic(kafka, admin, topic)).map((m) => m.value?.toString() ?? '');
      const times = new Map<string, number>();
      for (const value of written) times.set(value, (times.get(value) ?? 0) + 1);
      const lost = acknowledged.filter((value) => !times.has(value));
      const twice = [...times].filter(([, n]) => n > 1).map(([value]) => value);
      console.log(
        `appends through the kill -9 of leader ${leader}: ${acknowledged.length} acknowledged, ` +
          `${written.length} in the log, ${lost.length} lost, ${twice.length} written twice`,
      );
      expect(lost).toEqual([]);
      expect(twice).toEqual([]);
    } finally {
      await producer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.disconnect();
    }
  }, 300_000);
});
