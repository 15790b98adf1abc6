import { KafkaJSNonRetriableError, type PartitionAssigner, PartitionAssigners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEAD_LETTER_HEADERS } from '../../infra/kafka/dead-letter.ts';
import {
  createConsumerRoster,
  NO_KAFKAJS_RESTART,
  superviseConsumer,
} from '../../infra/kafka/supervise.ts';
import { createLogger } from '../../infra/logger.ts';
import { createMetrics } from '../../infra/metrics.ts';
import { defineProjection, sql } from '../../projections/runtime/projection.ts';
import {
  deadLetterConsumer,
  type RunningProjection,
  startProjection,
} from '../../projections/runtime/runner.ts';
import { eventually } from '../support/environment.ts';
import { documentUploaded } from '../support/events.ts';
import { createHarness, type Harness, readTopic } from '../support/harness.ts';

/** A read model whose table refuses one tenant's rows: its statement fails for those events. */
const probe = defineProjection({
  name: 'probe',
  handlers: {
    DocumentUploaded: (event) => [
      sql(
        'INSERT INTO probe_rows (event_id, tenant_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
        event.metadata.eventId,
        event.metadata.tenantId,
      ),
    ],
  },
});

/** Log lines, to see what the supervisor said. */
function capturedLogger() {
  const lines: { msg: string; consumer?: string }[] = [];
  const logger = createLogger('info', {
    write: (line: string) => void lines.push(JSON.parse(line)),
  });
  return { logger, lines };
}

describe('consumers that never die silently', () => {
  let h: Harness;
  let projection: RunningProjection | undefined;

  beforeAll(async () => {
    h = await createHarness([deadLetterConsumer(probe)]);
    await h.pool.query(`CREATE TABLE probe_rows (
      event_id uuid PRIMARY KEY,
      tenant_id text NOT NULL CONSTRAINT probe_rows_no_poison CHECK (tenant_id <> 'tenant-poison'))`);
  });
  afterAll(async () => {
    await projection?.stop();
    await h?.close();
  });

  it('restarts a consumer that crashed for good, after a backoff, logged and counted', async () => {
    const { logger, lines } = capturedLogger();
    const metrics = createMetrics();
    const roster = createConsumerRoster();
    const seen: string[] = [];
    let crashes = 0;
    const supervised = await superviseConsumer(
      'crashing',
      async (watch) => {
        const consumer = h.kafka.consumer({
          groupId: h.topics.consumerGroup('crashing'),
          ...NO_KAFKAJS_RESTART,
        });
        watch(consumer);
        await consumer.connect();
        await consumer.subscribe({ topics: [h.topics.events.document], fromBeginning: true });
        await consumer.run({
          eachMessage: async ({ message }) => {
            if (crashes++ === 0) {
              // What kafkajs itself gives up on: a crash event with restart false.
              throw new KafkaJSNonRetriableError('The coordinator is not aware of this member');
            }
            seen.push(message.key?.toString() ?? '');
          },
        });
        return { consumer, stop: () => consumer.disconnect() };
      },
      { logger, metrics, restart: { baseMs: 2000, maxMs: 4000 } },
    );
    roster.add(supervised);
    const event = documentUploaded({ metadata: { tenantId: 'tenant-crash' } });
    await h.eventLog.append(event);

    // Between the crash and the restart, it is named as stopped.
    await eventually(() => expect(roster.stopped()).toEqual(['crashing']), 30_000);
    await eventually(() => expect(seen).toContain(event.metadata.aggregateId), 60_000);
    expect(supervised.running()).toBe(true);
    expect(roster.stopped()).toEqual([]);
    const restarts = await metrics.consumerRestarts.get();
    expect(restarts.values).toEqual([{ labels: { consumer: 'crashing' }, value: 1 }]);
    expect((await metrics.consumerUp.get()).values[0]?.value).toBe(1);
    const said = lines.filter((l) => l.consumer === 'crashing').map((l) => l.msg);
    expect(said).toEqual(
      expect.arrayContaining(['consumer crashed', 'consumer restarting', 'consumer restarted']),
    );
    await supervised.stop();
  }, 120_000);

  it('restarts again a consumer whose restart crashed while joining its group', async () => {
    const { logger, lines } = capturedLogger();
    const seen: string[] = [];
    let crashes = 0;
    let joinRefused = false;
    // The group's first assignment after the crash fails: kafkajs reports that as a crash from
    // inside `run`, which then returns as if the consumer were running.
    const refusingOnce: PartitionAssigner = (config) => {
      const assigner = PartitionAssigners.roundRobin(config);
      return {
        ...assigner,
        assign: async (group) => {
          if (crashes === 1 && !joinRefused) {
            joinRefused = true;
            throw new KafkaJSNonRetriableError('assignment refused');
          }
          return assigner.assign(group);
        },
      };
    };
    const event = documentUploaded({ metadata: { tenantId: 'tenant-join' } });
    const target = event.metadata.aggregateId;
    await h.eventLog.append(event);
    const supervised = await superviseConsumer(
      'joining',
      async (watch) => {
        const consumer = h.kafka.consumer({
          groupId: h.topics.consumerGroup('joining'),
          partitionAssigners: [refusingOnce],
          ...NO_KAFKAJS_RESTART,
        });
        watch(consumer);
        await consumer.connect();
        await consumer.subscribe({ topics: [h.topics.events.document], fromBeginning: true });
        await consumer.run({
          eachMessage: async ({ message }) => {
            if (message.key?.toString() !== target) return;
            if (crashes === 0) {
              crashes++;
              throw new KafkaJSNonRetriableError('The coordinator is not aware of this member');
            }
            seen.push(message.key?.toString() ?? '');
          },
        });
        return { consumer, stop: () => consumer.disconnect() };
      },
      { logger, metrics: createMetrics(), restart: { baseMs: 500, maxMs: 1000 } },
    );
    await eventually(() => expect(seen).toContain(target), 60_000);
    expect(joinRefused).toBe(true);
    expect(supervised.running()).toBe(true);
    const said = lines.filter((l) => l.consumer === 'joining').map((l) => l.msg);
    expect(said).toEqual(expect.arrayContaining(['consumer restart failed', 'consumer restarted']));
    await supervised.stop();
  }, 120_000);

  it('dead-letters an event whose statement keeps failing, with its reason, and goes on', async () => {
    // One document's history: a poisoned event between two good ones, all on one partition.
    const aggregateId = crypto.randomUUID();
    const events = ['tenant-good', 'tenant-poison', 'tenant-good'].map((tenantId) =>
      documentUploaded({ metadata: { tenantId, aggregateId } }),
    );
    for (const event of events) await h.eventLog.append(event);
    projection = await startProjection(probe, {
      ...h,
      settings: { retry: { maxRetries: 2, baseMs: 10 } },
    });

    const { rows } = await eventually(async () => {
      const result = await h.pool.query(
        "SELECT event_id FROM probe_rows WHERE tenant_id = 'tenant-good'",
      );
      expect(result.rows).toHaveLength(2);
      return result;
    }, 60_000);
    const good = events.filter((e) => e.metadata.tenantId === 'tenant-good');
    expect(rows.map((r) => r.event_id).sort()).toEqual(good.map((e) => e.metadata.eventId).sort());

    const letters = await eventually(async () => {
      const found = await readTopic(
        h.kafka,
        h.admin,
        h.topics.deadLetter(deadLetterConsumer(probe)),
      );
      expect(found).toHaveLength(1);
      return found;
    }, 30_000);
    const letter = letters[0] as (typeof letters)[number];
    const poisoned = (await h.codec.decode(letter.value as Buffer)).metadata;
    expect(poisoned.eventId).toBe(events[1]?.metadata.eventId);
    expect(letter.headers[DEAD_LETTER_HEADERS.reason]).toBe(
      'statement failed after 3 tries: SQLSTATE 23514, constraint probe_rows_no_poison, table probe_rows',
    );
    expect(letter.headers[DEAD_LETTER_HEADERS.topic]).toBe(h.topics.events.document);
    expect(projection.running()).toBe(true);
    // The checkpoints passed every message: a restart does not meet the poisoned event again.
    const ends = await h.admin.fetchTopicOffsets(h.topics.events.document);
    const { rows: checkpoints } = await h.pool.query(
      "SELECT sum(next_offset)::int AS next FROM projection_checkpoints WHERE projection = 'probe'",
    );
    expect(checkpoints[0].next).toBe(ends.reduce((sum, p) => sum + Number(p.high), 0));
  }, 120_000);

  it('keeps folding after a stall outlasted its session and the group dropped it', async () => {
    const running = projection as RunningProjection;
    const applied = async (event: { metadata: { eventId: string } }) =>
      (await h.pool.query('SELECT 1 FROM probe_rows WHERE event_id = $1', [event.metadata.eventId]))
        .rows.length === 1;
    // The stalled event's partition must have a checkpoint row to hold: one event of the same
    // document (same key, same partition) is folded first.
    const aggregateId = crypto.randomUUID();
    const first = documentUploaded({ metadata: { tenantId: 'tenant-good', aggregateId } });
    await h.eventLog.append(first);
    await eventually(async () => expect(await applied(first)).toBe(true), 60_000);
    // Hold the projection's checkpoints: its next batch waits on them, and sends no heartbeat.
    const blocker = await h.pool.connect();
    await blocker.query('BEGIN');
    await blocker.query(
      "SELECT * FROM projection_checkpoints WHERE projection = 'probe' FOR UPDATE",
    );
    const stalled = documentUploaded({ metadata: { tenantId: 'tenant-good', aggregateId } });
    await h.eventLog.append(stalled);
    const group = h.topics.consumerGroup(deadLetterConsumer(probe));
    await eventually(async () => {
      const [described] = (await h.admin.describeGroups([group])).groups;
      expect(described?.members).toHaveLength(0);
    }, 60_000);
    await blocker.query('COMMIT');
    blocker.release();

    await eventually(async () => expect(await applied(stalled)).toBe(true), 60_000);
    const later = documentUploaded({ metadata: { tenantId: 'tenant-good' } });
    await h.eventLog.append(later);
    await eventually(async () => expect(await applied(later)).toBe(true), 60_000);
    expect(running.running()).toBe(true);
    // Its commit after the stall was refused ("The coordinator is not aware of this member"),
    // kafkajs gave the consumer up, and the supervisor started it again.
    const restarts = (await h.metrics.consumerRestarts.get()).values;
    expect(
      restarts.find((v) => v.labels.consumer === 'projection-probe')?.value,
    ).toBeGreaterThanOrEqual(1);
  }, 180_000);
});
