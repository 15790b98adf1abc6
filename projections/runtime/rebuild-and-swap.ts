import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Admin, Kafka } from 'kafkajs';
import { DocstreamError } from '../../infra/errors.ts';
import type { TopicNames } from '../../infra/kafka/topics.ts';
import type { Logger } from '../../infra/logger.ts';
import { createPool, type Pool, type PoolClient, READ_MODEL_SCHEMA } from '../../infra/postgres.ts';
import type { EventCodec } from '../../schemas/codec.ts';
import { PROJECTIONS, READ_MODEL_TABLES, type ReadModelName } from '../catalog.ts';
import { compareTables, type TableComparison } from './compare.ts';
import {
  behind,
  differing,
  eventsBetween,
  type Positions,
  positionKey,
  readPositions,
} from './positions.ts';
import type { Projection, ProjectionPorts } from './projection.ts';
import { applyBatch, subscribedTopics } from './runner.ts';
import { createShadow, dropShadow, shadowSchema, swapInShadow } from './shadow.ts';
import { type ShadowFold, startShadowFold } from './shadow-fold.ts';

export interface RebuildAndSwapDeps {
  kafka: Kafka;
  admin: Admin;
  /** As the tables' owner (`DATABASE_URL`): the rebuild creates, drops and moves tables. */
  databaseUrl: string;
  codec: EventCodec;
  topics: TopicNames;
  blobs: ProjectionPorts['blobs'];
  logger: Logger;
}

export interface RebuildAndSwapOptions {
  /** Refuse to swap unless every table of the shadow equals the live one (an unchanged rebuild). */
  requireEqual?: boolean;
  /** How long the fold may take to catch up with the live projection. */
  timeoutMs?: number;
  /** How often the live projection's position is read while catching up. */
  pollMs?: number;
}

export interface RebuildResult {
  model: string;
  topics: string[];
  /** Messages of the log folded into the shadow, and how long until it had caught up. */
  events: number;
  seconds: number;
  eventsPerSecond: number;
  /** Messages that could not be decoded, skipped as the live projection dead-lettered them. */
  skipped: number;
  /** The live projection's position when the two were compared and swapped (both were there). */
  position: Positions;
  tables: TableComparison[];
  swapped: boolean;
}

export const isReadModelName = (name: string): name is ReadModelName =>
  PROJECTIONS.some((projection) => projection.name === name);

/** The read models a command line names: one, or `all`; an unknown name is refused. */
export function selectReadModels(name: string): Projection[] {
  if (name === 'all') return [...PROJECTIONS];
  const found = PROJECTIONS.find((projection) => projection.name === name);
  if (found) return [found];
  throw unknownReadModel(name);
}

function unknownReadModel(name: string): DocstreamError {
  const known = PROJECTIONS.map((projection) => projection.name).join(', ');
  return new DocstreamError(
    'not-found',
    'READ_MODEL_UNKNOWN',
    `no read model is called "${name}": name one of ${known}, or all`,
  );
}

const SWAP_ATTEMPTS = 5;
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Folds `projection` from offset 0 into a shadow schema while the live read model keeps serving,
 * catches up with the live projection, compares the two table by table and swaps the shadow in,
 * in one transaction that holds the live projection's checkpoints: they stay as they are, and the
 * swapped-in tables hold exactly what those checkpoints say is applied. The projection may be a
 * changed one (same name, new handlers): its rows replace the live ones. Nothing outside the read
 * model's own tables is touched; the write side's state never is.
 */
export async function rebuildAndSwap(
  projection: Projection,
  deps: RebuildAndSwapDeps,
  options: RebuildAndSwapOptions = {},
): Promise<RebuildResult> {
  const model = projection.name;
  if (!isReadModelName(model)) throw unknownReadModel(model);
  const tables = READ_MODEL_TABLES[model];
  const schema = shadowSchema(model);
  const topics = subscribedTopics(projection, deps.topics);
  const log = deps.logger.child({ rebuild: model });
  // Its own connections: one holds the rebuild's lock, one the swap, one reads positions.
  const pool = createPool(deps.databaseUrl, 4);
  const session = await pool.connect();
  let shadowPool: Pool | undefined;
  let fold: ShadowFold | undefined;
  const groupId = deps.topics.consumerGroup(`rebuild-${model}-${randomUUID().slice(0, 8)}`);
  let locked = false;
  try {
    locked = await holdRebuildLock(session, model);
    await createShadow(session, schema, tables);
    shadowPool = createPool(withSearchPath(deps.databaseUrl, schema), 2);
    const apply = applyTo(projection, shadowPool, deps);
    const live = () => readPositions(pool, READ_MODEL_SCHEMA, model);
    const shadow = () => readPositions(pool, schema, model);
    fold = await startShadowFold({ kafka: deps.kafka, groupId, topics, caps: await live(), apply });
    const started = performance.now();
    const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
    await catchUp(fold, live, shadow, deadline, options.pollMs ?? 250);
    const seconds = (performance.now() - started) / 1000;
    const events = fold.folded();
    log.info({ events, seconds }, 'shadow caught up with the live read model');
    await analyze(session, schema, tables);

    for (let attempt = 1; ; attempt++) {
      const outcome = await trySwap({
        pool,
        admin: deps.admin,
        projection,
        topics,
        schema,
        tables,
        fold,
        shadow,
        requireEqual: options.requireEqual ?? false,
      });
      if (outcome.swapped || attempt >= SWAP_ATTEMPTS) {
        if (!outcome.swapped) throw new Error(`${model}: no swap after ${attempt} attempts`);
        return {
          model,
          topics,
          events,
          seconds,
          eventsPerSecond: seconds > 0 ? events / seconds : 0,
          skipped: fold.skipped(),
          position: outcome.position,
          tables: outcome.tables,
          swapped: true,
        };
      }
      log.warn({ attempt, reason: outcome.reason }, 'swap put off; catching up again');
      await catchUp(fold, live, shadow, deadline, options.pollMs ?? 250);
    }
  } finally {
    await fold?.stop().catch(() => {});
    await deps.admin.deleteGroups([groupId]).catch(() => {});
    await shadowPool?.end().catch(() => {});
    // The shadow of a rebuild that did not get the lock belongs to the one that did.
    if (locked) await dropShadow(session, schema).catch(() => {});
    await session.query('SELECT pg_advisory_unlock_all()').catch(() => {});
    session.release();
    await pool.end();
  }
}

/** One rebuild of a read model at a time, whichever process asks. */
async function holdRebuildLock(session: PoolClient, model: string): Promise<true> {
  const { rows } = await session.query<{ held: boolean }>(
    'SELECT pg_try_advisory_lock(hashtext($1)) AS held',
    [`docstream.rebuild.${model}`],
  );
  if (!rows[0]?.held) {
    throw new DocstreamError(
      'conflict',
      'REBUILD_RUNNING',
      `a rebuild of ${model} is already running`,
    );
  }
  return true;
}

/**
 * The shadow's pool: the projection's statements name tables unqualified and find the shadow's,
 * and only those: once the shadow's tables are swapped in, a stray statement fails.
 */
function withSearchPath(url: string, schema: string): string {
  const withOptions = new URL(url);
  withOptions.searchParams.set('options', `-c search_path=${schema}`);
  return withOptions.toString();
}

function applyTo(projection: Projection, pool: Pool, deps: RebuildAndSwapDeps) {
  // Undecodable messages went to the dead-letter topic when the live projection met them.
  const producer = { send: async () => [] };
  return async (batch: Parameters<typeof applyBatch>[1]) =>
    applyBatch(projection, batch, { ...deps, pool, producer });
}

/**
 * Raises the fold's caps to the live position until the shadow has reached a position the live
 * read model held: the one read on this round or the one before. A live model that keeps moving
 * is never met exactly here (that is done with its checkpoints held, in `trySwap`); waiting for
 * that would last as long as its writes do.
 */
export async function catchUp(
  fold: Pick<ShadowFold, 'cap'>,
  live: () => Promise<Positions>,
  shadow: () => Promise<Positions>,
  deadline: number,
  pollMs: number,
): Promise<void> {
  let previous: Positions | undefined;
  for (;;) {
    const target = await live();
    fold.cap(target);
    const at = await shadow();
    if (behind(at, target).length === 0) return;
    if (previous && behind(at, previous).length === 0) return;
    if (Date.now() > deadline) throw new Error('the rebuild did not catch up in time');
    previous = target;
    await delay(pollMs);
  }
}

async function analyze(db: PoolClient, schema: string, tables: readonly string[]) {
  for (const table of tables) await db.query(`ANALYZE ${schema}.${table}`);
}

type SwapOutcome =
  | { swapped: true; position: Positions; tables: TableComparison[] }
  | { swapped: false; reason: string };

/**
 * Holds the live projection's checkpoints (it pauses before its next batch; reads go on), lets
 * the shadow reach exactly that position, compares, and swaps. Put off, with everything rolled
 * back, when the shadow does not get there in time or the tables stay locked by readers.
 */
interface SwapContext {
  pool: Pool;
  admin: Admin;
  projection: Projection;
  topics: readonly string[];
  schema: string;
  tables: readonly string[];
  fold: ShadowFold;
  shadow: () => Promise<Positions>;
  requireEqual: boolean;
}

async function trySwap(context: SwapContext): Promise<SwapOutcome> {
  const { pool, admin, projection, topics, schema, tables, fold, shadow } = context;
  const partitions = await partitionsOf(admin, topics);
  const db = await pool.connect();
  try {
    await db.query('BEGIN');
    await db.query("SET LOCAL lock_timeout = '10s'");
    const position = await holdLivePosition(db, projection.name, partitions);
    fold.cap(position);
    const reached = await reachExactly(shadow, position, Date.now() + 60_000);
    if (!reached) {
      await db.query('ROLLBACK');
      return { swapped: false, reason: 'the shadow did not reach the held position' };
    }
    const compared = await compareTables(db, READ_MODEL_SCHEMA, schema, tables);
    if (context.requireEqual && compared.some((t) => !t.equal)) {
      await db.query('ROLLBACK');
      const differ = compared.filter((t) => !t.equal).map((t) => t.table);
      throw Object.assign(
        new DocstreamError(
          'conflict',
          'REBUILD_DIFFERS',
          `${projection.name}: the rebuild differs from the live read model in ${differ.join(', ')}; nothing was swapped`,
        ),
        { tables: compared },
      );
    }
    await db.query("SET LOCAL lock_timeout = '5s'");
    await swapInShadow(db, schema, tables);
    await db.query('COMMIT');
    return { swapped: true, position, tables: compared };
  } catch (error) {
    await db.query('ROLLBACK').catch(() => {});
    if ((error as { code?: string }).code === LOCK_NOT_AVAILABLE) {
      return { swapped: false, reason: 'the live tables stayed locked' };
    }
    throw error;
  } finally {
    db.release();
  }
}

async function partitionsOf(admin: Admin, topics: readonly string[]) {
  const all: { topic: string; partition: number }[] = [];
  for (const topic of topics) {
    for (const { partition } of await admin.fetchTopicOffsets(topic))
      all.push({ topic, partition });
  }
  return all;
}

/**
 * Locks the live projection's checkpoint of every partition, making the missing ones at 0 as the
 * runner would: its next batch waits on the lock, so the live tables stay at this position.
 */
async function holdLivePosition(
  db: PoolClient,
  projection: string,
  partitions: readonly { topic: string; partition: number }[],
): Promise<Positions> {
  for (const { topic, partition } of partitions) {
    await db.query(
      `INSERT INTO ${READ_MODEL_SCHEMA}.projection_checkpoints
         (projection, topic, partition, next_offset)
       VALUES ($1, $2, $3, 0) ON CONFLICT DO NOTHING`,
      [projection, topic, partition],
    );
  }
  const { rows } = await db.query<{ topic: string; partition: number; next_offset: string }>(
    `SELECT topic, partition, next_offset FROM ${READ_MODEL_SCHEMA}.projection_checkpoints
     WHERE projection = $1 ORDER BY topic, partition FOR UPDATE`,
    [projection],
  );
  return new Map(rows.map((r) => [positionKey(r.topic, r.partition), BigInt(r.next_offset)]));
}

async function reachExactly(
  shadow: () => Promise<Positions>,
  position: Positions,
  deadline: number,
): Promise<boolean> {
  for (let pause = 20; ; pause = Math.min(pause * 2, 250)) {
    const at = await shadow();
    if (differing(at, position).length === 0) return true;
    if (eventsBetween(position, at) > 0n) return false; // cannot happen: the fold is capped
    if (Date.now() > deadline) return false;
    await delay(pause);
  }
}
