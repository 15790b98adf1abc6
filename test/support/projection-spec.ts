import type { ProducerRecord } from 'kafkajs';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { createSealingCodec } from '../../infra/crypto/sealing-codec.ts';
import { type KeyService, startKeyService } from '../../infra/crypto/service.ts';
import { DEAD_LETTER_HEADERS } from '../../infra/kafka/dead-letter.ts';
import { eventHeaders, topicOf } from '../../infra/kafka/event-log.ts';
import { type TopicNames, topicNames } from '../../infra/kafka/topics.ts';
import { createLogger } from '../../infra/logger.ts';
import { createPool, migrate, type Pool } from '../../infra/postgres.ts';
import { PROJECTIONS } from '../../projections/catalog.ts';
import type { Projection, ProjectionPorts } from '../../projections/runtime/projection.ts';
import { applyBatch, type LogMessage, subscribedTopics } from '../../projections/runtime/runner.ts';
import {
  createSchemaRegistry,
  type EventCodec,
  registerEventSchemas,
} from '../../schemas/codec.ts';
import type { DomainEvent } from '../../schemas/events.ts';
import { createTestEnvironment, type TestEnvironment } from './environment.ts';

/** A read-model database and what turns events into the messages its projections consume. */
export interface ReadModelStore {
  /** The owner's: the specs read every tenant's rows. */
  pool: Pool;
  /** The app role's: the projections write through it, as they run, under row-level security. */
  appPool: Pool;
  codec: EventCodec;
  topics: TopicNames;
}

const NO_BLOBS: ProjectionPorts = {
  blobs: { read: () => Promise.reject(new Error('no blobs')) },
};

/** In a spec, an event a read model had to dead-letter fails the spec, with the reason. */
const failOnDeadLetter = {
  send: (record: ProducerRecord) => {
    const reasons = record.messages.map((m) => m.headers?.[DEAD_LETTER_HEADERS.reason]);
    return Promise.reject(new Error(`dead-lettered: ${reasons.join('; ')}`));
  },
};

/** Consecutive events bound for the same log, each run one batch as a consumer would get it. */
function runsByTopic(events: readonly DomainEvent[], topics: TopicNames) {
  const runs: { topic: string; events: DomainEvent[] }[] = [];
  for (const event of events) {
    const topic = topicOf(event, topics);
    const last = runs.at(-1);
    if (last?.topic === topic) last.events.push(event);
    else runs.push({ topic, events: [event] });
  }
  return runs;
}

/** The log's next offset: past everything any read model has applied from it. */
async function endOfLog(pool: Pool, topic: string): Promise<bigint> {
  const { rows } = await pool.query<{ end: string }>(
    `SELECT COALESCE(max(next_offset), 0) AS end FROM projection_checkpoints
     WHERE topic = $1 AND partition = 0`,
    [topic],
  );
  return BigInt(rows[0]?.end ?? 0);
}

async function toLogMessage(
  event: DomainEvent,
  codec: EventCodec,
  offset: bigint,
): Promise<LogMessage> {
  return {
    offset: offset.toString(),
    key: Buffer.from(event.metadata.aggregateId),
    value: await codec.encode(event),
    headers: eventHeaders(event),
  };
}

/**
 * Read-model tests as specifications against a real PostgreSQL:
 * `given(events).when(event).thenRow(query, expected)`. The events are encoded as they are on
 * the log and each projection that consumes a log applies them with the runtime's `applyBatch`,
 * a batch per run of consecutive events on one log, at the log's next offsets.
 */
export function projectionSpec(
  store: ReadModelStore,
  projections: readonly Projection[],
  ports: ProjectionPorts = NO_BLOBS,
) {
  const deps = { ...store, pool: store.appPool, blobs: ports.blobs, producer: failOnDeadLetter };
  const apply = async (events: DomainEvent[]) => {
    for (const run of runsByTopic(events, store.topics)) {
      const first = await endOfLog(store.pool, run.topic);
      const messages = await Promise.all(
        run.events.map((event, i) => toLogMessage(event, store.codec, first + BigInt(i))),
      );
      for (const projection of projections) {
        if (!subscribedTopics(projection, store.topics).includes(run.topic)) continue;
        await applyBatch(projection, { topic: run.topic, partition: 0, messages }, deps);
      }
    }
  };
  return {
    given(...given: DomainEvent[]) {
      return {
        when(...when: DomainEvent[]) {
          const run = async () => {
            await apply(given);
            await apply(when);
          };
          return {
            async thenRows(query: string, values: unknown[], expected: unknown[]) {
              await run();
              expect((await store.pool.query(query, values)).rows).toEqual(expected);
            },
            async thenRowsMatch(query: string, values: unknown[], expected: unknown[]) {
              await run();
              expect((await store.pool.query(query, values)).rows).toMatchObject(expected);
            },
          };
        },
      };
    },
  };
}

/**
 * A migrated database of its own for a file of read-model specs, `tables` emptied before each
 * test; `spec()` folds events into it with every projection, as the runtime does.
 */
export function readModelDatabase(tables: string) {
  let env: TestEnvironment | undefined;
  let store: ReadModelStore | undefined;
  let keys: KeyService | undefined;
  beforeAll(async () => {
    env = await createTestEnvironment();
    await migrate(env.config.database, createLogger('silent'));
    const topics = topicNames(env.config.topics.prefix);
    const registry = createSchemaRegistry(env.config.registry.url, env.config.registry.auth);
    const pool = createPool(env.config.database.url, 2);
    // Events go through the codec as the runtime writes them: patient data sealed.
    keys = await startKeyService(env.config, pool);
    const codec = createSealingCodec(
      registry,
      await registerEventSchemas(registry, topics),
      keys.encryption,
    );
    store = {
      pool,
      appPool: createPool(env.config.database.appUrl, 2),
      codec,
      topics,
    };
  });
  beforeEach(async () => {
    await store?.pool.query(`TRUNCATE ${tables}`);
  });
  afterAll(async () => {
    await keys?.close();
    await store?.pool.end();
    await store?.appPool.end();
    await env?.cleanup();
  });
  const ready = () => {
    if (!store) throw new Error('the read-model database is not ready yet');
    return store;
  };
  return {
    get pool(): Pool {
      return ready().pool;
    },
    spec: (ports?: ProjectionPorts) => projectionSpec(ready(), PROJECTIONS, ports),
  };
}
