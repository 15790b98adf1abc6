import type { Consumer, IHeaders, Kafka, Producer } from 'kafkajs';
import { type DeadLetter, sendToDeadLetter } from '../../infra/kafka/dead-letter.ts';
import { HEADERS } from '../../infra/kafka/event-log.ts';
import {
  type ConsumerRun,
  type CrashWatch,
  NO_KAFKAJS_RESTART,
  type RestartPolicy,
  type SupervisedConsumer,
  superviseConsumer,
} from '../../infra/kafka/supervise.ts';
import type { TopicNames } from '../../infra/kafka/topics.ts';
import type { Logger } from '../../infra/logger.ts';
import type { Metrics } from '../../infra/metrics.ts';
import { type Pool, type PoolClient, setTenant, withTransaction } from '../../infra/postgres.ts';
import type { StartupRetry } from '../../infra/startup.ts';
import { EVENT_CATALOG } from '../../schemas/catalog.ts';
import { type EventCodec, UndecodableEventError } from '../../schemas/codec.ts';
import type { DomainEvent, LogPosition } from '../../schemas/events.ts';
import { lockCheckpoint, saveCheckpoint, skipCheckpoint } from './checkpoints.ts';
import { faultReason, isEventFault } from './event-faults.ts';
import {
  insertRows,
  type Projection,
  type ProjectionPorts,
  type RowShape,
  type SqlStatement,
} from './projection.ts';

export interface ProjectionDeps {
  kafka: Kafka;
  producer: Producer;
  pool: Pool;
  codec: EventCodec;
  topics: TopicNames;
  logger: Logger;
  metrics: Metrics;
  blobs: ProjectionPorts['blobs'];
  /** Defaults: DEFAULT_PROJECTION_SETTINGS. */
  settings?: Partial<ProjectionSettings>;
}

/**
 * `retry`: how often an event whose statements fail is tried before its dead letter;
 * `restart`: how a crashed consumer is restarted; the group's session and heartbeat.
 */
export interface ProjectionSettings {
  retry: EventRetry;
  restart: RestartPolicy;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** Tries the first start again while it fails for a reason that can pass, until the deadline. */
  startup?: StartupRetry;
}

export interface EventRetry {
  readonly maxRetries: number;
  readonly baseMs: number;
}

export const DEFAULT_PROJECTION_SETTINGS: ProjectionSettings = {
  retry: { maxRetries: 3, baseMs: 100 },
  restart: { baseMs: 1000, maxMs: 30_000 },
  sessionTimeoutMs: 6000,
  heartbeatIntervalMs: 1000,
};

export type RunningProjection = SupervisedConsumer;

export const deadLetterConsumer = (projection: Projection) => `projection-${projection.name}`;

/** The parts of a consumed message that applying it reads. */
export interface LogMessage {
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: IHeaders;
}

/** Messages of one partition in offset order, as a consumer receives them. */
export interface LogBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly LogMessage[];
}

/** The logs a projection consumes: those its event types are appended to. */
export const subscribedTopics = (projection: Projection, topics: TopicNames): string[] => [
  ...new Set(projection.canHandle.map((type) => topics.events[EVENT_CATALOG[type].aggregate])),
];

/**
 * Applies one Kafka batch in one PostgreSQL transaction together with the checkpoint. Messages
 * below the checkpoint were applied before (a redelivery after a crash) and are skipped. Each
 * event's statements run set to its tenant, so row-level security holds them to that tenant's rows.
 * Returns the next offset to consume and what the batch did.
 *
 * With `isolate` (a batch applied again after one of its events failed), each event runs in a
 * savepoint of its own: one whose statements fail is tried again `retry.maxRetries` times with
 * backoff, then rolled back and dead-lettered with its reason, and the rest are applied.
 */
export async function applyBatch(
  projection: Projection,
  batch: LogBatch,
  deps: Pick<ProjectionDeps, 'pool' | 'codec' | 'topics' | 'blobs'> & {
    producer: Pick<Producer, 'send'>;
  },
  options: { isolate?: EventRetry } = {},
): Promise<{ next: bigint; applied: number; deadLettered: number }> {
  const { topic, partition } = batch;
  const handled = new Set<string>(projection.canHandle);
  const last = batch.messages.at(-1);
  if (last && !options.isolate && batch.messages.every((m) => skippable(m, handled))) {
    const at = { topic, partition, next: BigInt(last.offset) + 1n };
    if (await skipCheckpoint(deps.pool, projection.name, at)) {
      return { next: at.next, applied: batch.messages.length, deadLettered: 0 };
    }
  }
  return withTransaction(deps.pool, async (client) => {
    const from = await lockCheckpoint(client, projection.name, topic, partition);
    let next = from;
    const letters: DeadLetter[] = [];
    const session: Session = { client, tenant: undefined, rows: null };
    for (const message of batch.messages) {
      const offset = BigInt(message.offset);
      if (offset < from) continue;
      next = offset + 1n;
      if (skippable(message, handled)) continue;
      try {
        if (!message.value) throw new UndecodableEventError('empty message');
        const decoded = await deps.codec.decode(message.value);
        if (!handled.has(decoded.type)) continue;
        const position = { topic, partition, offset: message.offset };
        if (options.isolate) {
          await applyIsolated(projection, decoded, position, session, deps, options.isolate);
        } else {
          await applyEvent(projection, decoded, position, session, deps);
        }
      } catch (error) {
        const reason =
          error instanceof UndecodableEventError
            ? error.message
            : error instanceof EventFailed
              ? error.reason
              : null;
        if (reason === null) throw error;
        letters.push({
          consumer: deadLetterConsumer(projection),
          reason,
          topic,
          partition,
          offset: message.offset,
          key: message.key,
          value: message.value,
          headers: message.headers ?? {},
        });
      }
    }
    await sendRows(session);
    if (next > from) {
      await sendToDeadLetter(deps.producer, deps.topics, letters);
      await saveCheckpoint(client, projection.name, topic, partition, next);
    }
    return { next, applied: Number(next - from), deadLettered: letters.length };
  });
}

/** Known by its header to be of a type the read model does not fold. */
const skippable = (message: LogMessage, handled: ReadonlySet<string>) => {
  const type = message.headers?.[HEADERS.eventType]?.toString();
  return type !== undefined && !handled.has(type);
};

interface Session {
  readonly client: PoolClient;
  /** The tenant the transaction is set to, so consecutive events of one tenant set it once. */
  tenant: string | undefined;
  /** Rows of one shape (`insertRow`) not sent yet: they go as one statement. */
  rows: PendingRows | null;
}

interface PendingRows extends RowShape {
  readonly width: number;
  readonly values: unknown[];
}

// PostgreSQL takes at most 65,535 parameters in a statement.
const MAX_PARAMETERS = 65_535;

/** Runs `statement`, or keeps it to send with the next rows of its shape. */
async function run(session: Session, statement: SqlStatement): Promise<void> {
  const { row, values } = statement;
  const pending = session.rows;
  if (
    row &&
    pending?.head === row.head &&
    pending.tail === row.tail &&
    pending.width === values.length &&
    pending.values.length + values.length <= MAX_PARAMETERS
  ) {
    pending.values.push(...values);
    return;
  }
  await sendRows(session);
  if (row) session.rows = { ...row, width: values.length, values: [...values] };
  else await session.client.query(statement.text, values as unknown[]);
}

/** Sends the rows kept by `run`, as one multi-row INSERT. */
async function sendRows(session: Session): Promise<void> {
  const pending = session.rows;
  if (!pending) return;
  session.rows = null;
  const { text, values } = insertRows(pending, pending.width, pending.values);
  await session.client.query(text, values as unknown[]);
}

/** Resolves the event and runs its statements, set to its tenant. */
async function applyEvent(
  projection: Projection,
  decoded: DomainEvent,
  position: LogPosition,
  session: Session,
  ports: ProjectionPorts,
): Promise<void> {
  const event = await projection.resolve(decoded, ports);
  if (event.metadata.tenantId !== session.tenant) {
    // Rows kept so far belong to the tenant set now: row-level security checks them on insert.
    await sendRows(session);
    session.tenant = event.metadata.tenantId;
    await setTenant(session.client, session.tenant);
  }
  for (const statement of projection.handle(event, position)) await run(session, statement);
}

/** An event that failed every try: dead-lettered with `reason`, and the batch goes on. */
class EventFailed extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

async function applyIsolated(
  projection: Projection,
  decoded: DomainEvent,
  position: LogPosition,
  session: Session,
  ports: ProjectionPorts,
  retry: EventRetry,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    await session.client.query('SAVEPOINT projection_event');
    try {
      await applyEvent(projection, decoded, position, session, ports);
      await sendRows(session);
      await session.client.query('RELEASE SAVEPOINT projection_event');
      return;
    } catch (error) {
      await session.client.query('ROLLBACK TO SAVEPOINT projection_event');
      // The rollback undid the tenant setting made inside the savepoint, and its rows.
      session.tenant = undefined;
      session.rows = null;
      if (!isEventFault(error)) throw error;
      if (attempt >= retry.maxRetries) throw new EventFailed(faultReason(error, attempt + 1));
      await new Promise((resolve) => setTimeout(resolve, retry.baseMs * 2 ** attempt));
    }
  }
}

/**
 * Runs a projection's consumer for as long as the process runs: a crashed consumer is started
 * again after a backoff. A batch that fails for one of its events is applied again event by event,
 * so that one is dead-lettered and the stream goes on.
 */
export function startProjection(
  projection: Projection,
  deps: ProjectionDeps,
): Promise<RunningProjection> {
  const settings = { ...DEFAULT_PROJECTION_SETTINGS, ...deps.settings };
  return superviseConsumer(
    deadLetterConsumer(projection),
    (watch) => runProjection(projection, deps, settings, watch),
    {
      logger: deps.logger,
      metrics: deps.metrics,
      restart: settings.restart,
      ...(settings.startup ? { firstStart: settings.startup } : {}),
    },
  );
}

async function runProjection(
  projection: Projection,
  deps: ProjectionDeps,
  settings: ProjectionSettings,
  watch: CrashWatch,
): Promise<ConsumerRun> {
  const log = deps.logger.child({ projection: projection.name });
  const consumer: Consumer = deps.kafka.consumer({
    groupId: deps.topics.consumerGroup(`projection-${projection.name}`),
    readUncommitted: false,
    sessionTimeout: settings.sessionTimeoutMs,
    heartbeatInterval: settings.heartbeatIntervalMs,
    ...NO_KAFKAJS_RESTART,
  });
  watch(consumer);
  const apply = async (batch: LogBatch) => {
    try {
      return await applyBatch(projection, batch, deps);
    } catch (error) {
      if (!isEventFault(error)) throw error;
      log.warn(
        { partition: batch.partition, code: (error as { code?: unknown }).code },
        'an event of the batch failed: applying it event by event',
      );
      return applyBatch(projection, batch, deps, { isolate: settings.retry });
    }
  };
  try {
    await consumer.connect();
    await consume();
  } catch (error) {
    await consumer.disconnect().catch(() => {});
    throw error;
  }
  log.info('projection started');
  return {
    consumer,
    stop: async () => {
      await consumer.disconnect();
      log.info('projection stopped');
    },
  };

  async function consume() {
    await consumer.subscribe({
      topics: subscribedTopics(projection, deps.topics),
      fromBeginning: true,
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, isRunning, isStale }) => {
        if (!isRunning() || isStale() || batch.isEmpty()) return;
        const { next, applied, deadLettered } = await apply(batch);
        deps.metrics.eventsApplied.inc({ projection: projection.name }, applied);
        if (deadLettered > 0) {
          deps.metrics.deadLetters.inc({ consumer: deadLetterConsumer(projection) }, deadLettered);
          log.error({ partition: batch.partition, deadLettered }, 'events dead-lettered');
        }
        // Kafka's committed offset only trails the checkpoint; the checkpoint decides what is applied.
        await consumer.commitOffsets([
          { topic: batch.topic, partition: batch.partition, offset: next.toString() },
        ]);
        // The next fetch starts here: kafkajs fetches from the last offset resolved, else from
        // where the consumer started, whatever was committed since.
        resolveOffset((next - 1n).toString());
        log.debug({ partition: batch.partition, next: next.toString() }, 'batch applied');
      },
    });
  }
}
