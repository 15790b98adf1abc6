import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCampaign } from '../support/campaign.ts';
import { type Cluster, startCluster } from '../support/cluster.ts';
import { createTestEnvironment, type TestEnvironment } from '../support/environment.ts';

// Ports of its own, beside the stack's Kafka and a running `npm run campaign` (19092…).
const PORT_BASE = 19392;
const DOCUMENTS = 200;

describe('the fault campaign, shortened', () => {
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
      drainTimeoutMs: 15 * 60_000,
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
});
