import { DocstreamError, invalid } from '../infra/errors.ts';
import type { Pool } from '../infra/postgres.ts';
import { PROJECTIONS, type ReadModelName } from '../projections/catalog.ts';
import { waitForPosition } from '../projections/runtime/checkpoints.ts';
import type { Projection } from '../projections/runtime/projection.ts';
import { type AggregateKind, EVENT_CATALOG, type EventLogTopics } from '../schemas/catalog.ts';
import type { LogPosition } from '../schemas/events.ts';

// Kafka offsets are signed 64-bit; partitions signed 32-bit.
const MAX_OFFSET = 2n ** 63n - 1n;
const MAX_PARTITION = 2 ** 31 - 1;

/** `partition:offset` on the document log; `patient:` or `batch:` before it for the other logs. */
export const POSITION_TOKEN_PATTERN = '^((patient|batch):)?[0-9]+:[0-9]+$';

/** A write's log position, with the token a read passes back as `minPosition`. */
export const withToken = (position: LogPosition, log: AggregateKind = 'document') => ({
  ...position,
  token: `${log === 'document' ? '' : `${log}:`}${position.partition}:${position.offset}`,
});

/** Waits until each named read model has applied `minPosition`; see `createReadModelWaiter`. */
export type AwaitReadModel = (
  names: ReadModelName | readonly ReadModelName[],
  minPosition: string | undefined,
) => Promise<void>;

/**
 * Read your own writes: waits until each named read model that folds the token's log has applied
 * its position. A read model that does not fold that log has nothing to wait for.
 */
export function createReadModelWaiter(deps: {
  pool: Pool;
  logs: EventLogTopics;
  waitTimeoutMs: number;
}): AwaitReadModel {
  return async (names, minPosition) => {
    if (!minPosition) return;
    const parts = minPosition.split(':');
    const log = (parts.length === 3 ? parts[0] : 'document') as AggregateKind;
    const [partition, offset] = parts.slice(-2);
    if (BigInt(offset ?? '0') > MAX_OFFSET || Number(partition) > MAX_PARTITION) {
      throw invalid('INVALID_POSITION', `${minPosition} is beyond any position of the log`);
    }
    const position = { topic: deps.logs[log], partition: Number(partition), offset };
    const wanted: readonly ReadModelName[] = typeof names === 'string' ? [names] : names;
    const folding = PROJECTIONS.filter((p) => wanted.includes(p.name) && folds(p, log)).map(
      (p) => p.name,
    );
    if (folding.length === 0) {
      throw invalid('POSITION_OF_ANOTHER_LOG', `this read does not follow the ${log} log`);
    }
    const reached = await Promise.all(
      folding.map((name) =>
        waitForPosition(deps.pool, name, position as LogPosition, deps.waitTimeoutMs),
      ),
    );
    const behind = folding.filter((_, i) => !reached[i]);
    if (behind.length > 0) {
      throw new DocstreamError(
        'timeout',
        'POSITION_NOT_REACHED',
        `the ${behind.join(', ')} read model has not reached ${minPosition} yet`,
      );
    }
  };
}

const folds = (projection: Projection, log: AggregateKind) =>
  projection.canHandle.some((type) => EVENT_CATALOG[type].aggregate === log);
