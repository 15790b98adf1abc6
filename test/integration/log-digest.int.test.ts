import { execFile } from 'node:child_process';
import { generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { PartitionAssigner } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventProducer } from '../../infra/kafka/client.ts';
import { toKafkaMessage } from '../../infra/kafka/event-log.ts';
import { parseRecordLine, recordLine, recordsFile } from '../../infra/log-digest/export-format.ts';
import type { PartitionReport } from '../../infra/log-digest/verify.ts';
import { exclusiveAssigner } from '../../processors/runtime/exclusive-assigner.ts';
import { type RunningLogDigest, startLogDigest } from '../../producers/log-digest/reactor.ts';
import { connectToLog, type LogConnection } from '../../system/log-digest/connect.ts';
import { exportLog } from '../../system/log-digest/export.ts';
import { verifyExport, verifyLive } from '../../system/log-digest/verify.ts';
import { eventually } from '../support/environment.ts';
import { documentUploaded } from '../support/events.ts';
import { createHarness, type Harness } from '../support/harness.ts';

const run = promisify(execFile);
const DEAD_LETTERS = ['validate'];

describe('the digest chain of every topic', () => {
  let h: Harness;
  let log: LogConnection;
  let reactor: RunningLogDigest | null = null;
  let dir: string;
  let keyFile: string;
  const { privateKey } = generateKeyPairSync('ed25519');

  const sources = () =>
    [...Object.values(h.topics.events), h.topics.deadLetter('validate')].filter(
      (t) => t !== h.topics.events.digest,
    );

  const start = (key: KeyObject = privateKey, partitionAssigners?: PartitionAssigner[]) =>
    startLogDigest({
      kafka: h.kafka,
      admin: h.admin,
      codec: h.codec,
      topics: h.topics,
      logger: h.logger,
      key,
      sources: sources(),
      settings: { everyRecords: 4, intervalMs: 300 },
      clock: { now: Date.now, newId: randomUUID },
      ...(partitionAssigners ? { partitionAssigners } : {}),
    });

  const append = async (count: number) => {
    for (let i = 0; i < count; i++) await h.eventLog.append(documentUploaded({}));
  };

  /** Every record on the log covered: no failure and nothing left uncovered. */
  const covered = async () => {
    const reports = await verifyLive(log, h.config.topics.prefix, privateKey);
    for (const r of reports) {
      expect(r.failure).toBeNull();
      expect(r.uncovered).toBeNull();
    }
    return reports;
  };
  const total = (reports: PartitionReport[]) =>
    reports.reduce((n, r) => n + (r.verified?.records ?? 0), 0);

  beforeAll(async () => {
    h = await createHarness(DEAD_LETTERS);
    log = await connectToLog(h.config);
    dir = await mkdtemp(path.join(tmpdir(), 'log-export-'));
    keyFile = path.join(dir, 'signing-key.pem');
    await writeFile(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  });

  afterAll(async () => {
    await reactor?.stop();
    await log?.close();
    await h?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('covers committed records, skips aborted ones, and continues across a restart', async () => {
    await append(9);
    // A dead letter written in a transaction that aborts, then one that commits: only the
    // committed one is part of the chain, and its offset sits after the aborted one's.
    const dlq = h.topics.deadLetter('validate');
    const tx = createEventProducer(h.kafka, {
      transactionalId: `${h.config.topics.prefix}.test-tx`,
    });
    await tx.connect();
    for (const outcome of ['abort', 'commit'] as const) {
      const transaction = await tx.transaction();
      await transaction.send({
        topic: dlq,
        // One partition for both, so the committed record's offset follows the aborted one's.
        messages: [{ ...(await toKafkaMessage(documentUploaded({}), h.codec)), partition: 1 }],
      });
      await transaction[outcome]();
    }
    await tx.disconnect();

    reactor = await start();
    const first = await eventually(covered, 60_000);
    expect(total(first)).toBe(10);
    const dlqReport = first.find((r) => r.topic === dlq);
    expect(dlqReport?.verified?.records).toBe(1);
    expect(Number(dlqReport?.verified?.firstOffset)).toBeGreaterThan(0);

    await reactor.stop();
    reactor = null;
    await append(7);
    reactor = await start();
    const second = await eventually(covered, 60_000);
    // No range skipped or covered twice: a chain that overlapped or left a gap would fail.
    expect(total(second)).toBe(17);
  });

  it('verifies an exported copy, and names the one record whose byte was flipped', async () => {
    const copy = path.join(dir, 'copy');
    const manifest = await exportLog(log, h.config.topics.prefix, privateKey, copy);
    expect(manifest.partitions.reduce((n, p) => n + p.records, 0)).toBe(17);
    expect((await verifyExport(copy, privateKey)).every((r) => r.failure === null)).toBe(true);

    const target = manifest.partitions.find(
      (p) => p.topic === h.topics.events.document && p.records >= 2,
    );
    if (!target) throw new Error('no partition with two records');
    const file = path.join(copy, recordsFile(target.topic, target.partition));
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    const victim = parseRecordLine(lines[1] as string);
    const value = Buffer.from(victim.value as Buffer);
    value[value.length - 3] = (value[value.length - 3] as number) ^ 0x01;
    lines[1] = recordLine({ ...victim, value });
    await writeFile(file, `${lines.join('\n')}\n`);

    const reports = await verifyExport(copy, privateKey);
    const failures = reports.flatMap((r) => (r.failure ? [r.failure] : []));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      topic: target.topic,
      partition: target.partition,
      offset: victim.offset,
    });

    const cli = await run(process.execPath, ['--import', 'tsx', 'system/verify-log.ts', copy], {
      env: { ...process.env, ...h.env, LOG_SIGNING_KEY_FILE: keyFile },
    }).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain(
      `FAILED topic ${target.topic} partition ${target.partition} offset ${victim.offset}`,
    );
  });

  it('fails every digest under a key that is not the published one', async () => {
    const copy = path.join(dir, 'copy-2');
    await exportLog(log, h.config.topics.prefix, privateKey, copy);
    const stranger = generateKeyPairSync('ed25519').publicKey;
    const reports = await verifyExport(copy, stranger);
    expect(reports.length).toBeGreaterThan(0);
    for (const r of reports) expect(r.failure?.reason).toMatch(/signature does not hold/);

    const cli = await run(process.execPath, ['--import', 'tsx', 'system/verify-log.ts', copy], {
      env: { ...process.env, ...h.env },
    });
    expect(cli.stdout).toMatch(/verified: \d+ partitions, no record differs/);
  });

  it('keeps one chain when a second reactor starts: the first is fenced and leaves', async () => {
    const second = await start();
    try {
      // A record on every partition of every topic: whichever partitions the first reactor still
      // holds, it tries to append a digest, finds itself fenced and leaves them to the second.
      for (const topic of sources()) {
        const messages = [0, 1, 2].map((partition) => ({
          partition,
          key: null,
          value: Buffer.from(topic),
        }));
        await h.producer.send({ topic, acks: -1, messages });
      }
      const reports = await eventually(covered, 90_000);
      expect(total(reports)).toBe(17 + sources().length * 3);
      expect(second.fenced).toBe(false);
    } finally {
      await second.stop();
    }
  });

  it('stands by in a second process and takes every chain over when the first stops', async () => {
    await reactor?.stop();
    reactor = null;
    const before = total(await covered());
    const first = await start(privateKey, [exclusiveAssigner(1)]);
    const standby = await start(privateKey, [exclusiveAssigner(2)]);
    try {
      await append(5);
      expect(total(await eventually(covered, 60_000))).toBe(before + 5);
      await first.stop();
      await append(5);
      expect(total(await eventually(covered, 60_000))).toBe(before + 10);
      // The standby never wrote beside the active one, so neither was fenced.
      expect([first.fenced, standby.fenced]).toEqual([false, false]);
    } finally {
      await first.stop();
      await standby.stop();
    }
  });
});
