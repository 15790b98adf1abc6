import type { Pool, PoolClient } from '../../infra/postgres.ts';
import type { LogPosition } from '../../schemas/events.ts';

/**
 * Locks the projection's row for this partition, made at 0 the first time, and returns the next
 * offset it must apply: one round trip (the update that changes nothing is what takes the lock).
 */
export async function lockCheckpoint(
  client: PoolClient,
  projection: string,
  topic: string,
  partition: number,
): Promise<bigint> {
  const { rows } = await client.query<{ next_offset: string }>(
    `INSERT INTO projection_checkpoints AS c (projection, topic, partition, next_offset)
     VALUES ($1, $2, $3, 0)
     ON CONFLICT (projection, topic, partition) DO UPDATE SET next_offset = c.next_offset
     RETURNING next_offset`,
    [projection, topic, partition],
  );
  return BigInt(rows[0]?.next_offset ?? 0);
}

/**
 * Moves the checkpoint past messages the read model does not fold, in one statement and no
 * transaction: what the transactional path would do with them (nothing, then the checkpoint),
 * since the consumer hands over a partition's messages in order and the checkpoint only moves
 * forward. False when there is no checkpoint yet or it is already there: the caller then takes
 * the transactional path, which handles every case.
 */
export async function skipCheckpoint(
  pool: Pool,
  projection: string,
  at: { topic: string; partition: number; next: bigint },
): Promise<boolean> {
  const { rowCount } = await pool.query(
    `UPDATE projection_checkpoints SET next_offset = $4, updated_at = now()
     WHERE projection = $1 AND topic = $2 AND partition = $3 AND next_offset < $4`,
    [projection, at.topic, at.partition, at.next.toString()],
  );
  return rowCount === 1;
}

export async function saveCheckpoint(
  client: PoolClient,
  projection: string,
  topic: string,
  partition: number,
  nextOffset: bigint,
): Promise<void> {
  await client.query(
    `UPDATE projection_checkpoints SET next_offset = $4, updated_at = now()
     WHERE projection = $1 AND topic = $2 AND partition = $3`,
    [projection, topic, partition, nextOffset.toString()],
  );
}

export async function hasReached(
  pool: Pool,
  projection: string,
  position: LogPosition,
): Promise<boolean> {
  const { rows } = await pool.query(
    `SELECT 1 FROM projection_checkpoints
     WHERE projection = $1 AND topic = $2 AND partition = $3 AND next_offset > $4`,
    [projection, position.topic, position.partition, position.offset],
  );
  return rows.length > 0;
}

/** Read-your-writes: resolves true once the projection has applied `position`, false at the deadline. */
export async function waitForPosition(
  pool: Pool,
  projection: string,
  position: LogPosition,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let pause = 10;
  for (;;) {
    if (await hasReached(pool, projection, position)) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
    pause = Math.min(pause * 2, 200);
  }
}

/**
 * Binds the read models to the Kafka cluster they are folded from, on first start; refuses to
 * run against another cluster, whose offsets would not match the checkpoints.
 */
export async function bindToCluster(pool: Pool, clusterId: string): Promise<void> {
  await pool.query(
    'INSERT INTO event_log_identity (cluster_id) VALUES ($1) ON CONFLICT (only_row) DO NOTHING',
    [clusterId],
  );
  const { rows } = await pool.query<{ cluster_id: string }>(
    'SELECT cluster_id FROM event_log_identity',
  );
  const bound = rows[0]?.cluster_id;
  if (bound !== clusterId) {
    throw new Error(
      `the read models in this database were built from Kafka cluster ${bound}, not ${clusterId}: this database (read models and write-side state alike) belongs to that log: point DATABASE_URL at a fresh database`,
    );
  }
}
