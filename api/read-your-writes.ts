import { DocstreamError } from '../infra/errors.ts';
import { waitForPosition } from '../projections/runtime/checkpoints.ts';
import type { LogPosition } from '../schemas/events.ts';
import type { ApiDeps } from './app.ts';

/** A write's log position, with the token a read passes back as `minPosition`. */
export const withToken = (position: LogPosition) => ({
  ...position,
  token: `${position.partition}:${position.offset}`,
});

/** Read your own writes: wait until `projection` has applied the given document-log position. */
export async function awaitReadModel(
  deps: Pick<ApiDeps, 'pool' | 'topics' | 'config'>,
  projection: string,
  minPosition: string | undefined,
): Promise<void> {
  if (!minPosition) return;
  const [partition, offset] = minPosition.split(':');
  const position = {
    topic: deps.topics.events.document,
    partition: Number(partition),
    offset: String(offset),
  };
  if (!(await waitForPosition(deps.pool, projection, position, deps.config.reads.waitTimeoutMs))) {
    throw new DocstreamError(
      'timeout',
      'POSITION_NOT_REACHED',
      `the ${projection} read model has not reached ${minPosition} yet`,
    );
  }
}
