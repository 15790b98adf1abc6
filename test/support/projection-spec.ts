import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { createLogger } from '../../infra/logger.ts';
import { createPool, migrate, type Pool, withTransaction } from '../../infra/postgres.ts';
import { PROJECTIONS } from '../../projections/catalog.ts';
import type { Projection, ProjectionPorts } from '../../projections/runtime/projection.ts';
import type { DomainEvent } from '../../schemas/events.ts';
import { createTestEnvironment, type TestEnvironment } from './environment.ts';

/**
 * Read-model tests as specifications against a real PostgreSQL:
 * `given(events).when(event).thenRow(query, expected)`. Each event is applied as the runtime
 * applies it (resolve, then the handler's statements in one transaction), at the next offset.
 */
export function projectionSpec(
  pool: Pool,
  projections: readonly Projection[],
  ports: ProjectionPorts = { blobs: { read: () => Promise.reject(new Error('no blobs')) } },
) {
  let offset = 0;
  const apply = async (events: DomainEvent[]) => {
    for (const event of events) {
      const position = { topic: 'test.document.events', partition: 0, offset: String(offset++) };
      await withTransaction(pool, async (client) => {
        for (const projection of projections) {
          if (!projection.canHandle.includes(event.type)) continue;
          const resolved = projection.resolve ? await projection.resolve(event, ports) : event;
          for (const s of projection.handle(resolved, position)) {
            await client.query(s.text, s.values as unknown[]);
          }
        }
      });
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
              expect((await pool.query(query, values)).rows).toEqual(expected);
            },
            async thenRowsMatch(query: string, values: unknown[], expected: unknown[]) {
              await run();
              expect((await pool.query(query, values)).rows).toMatchObject(expected);
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
  let pool: Pool | undefined;
  beforeAll(async () => {
    env = await createTestEnvironment();
    await migrate(env.config.database.url, createLogger('silent'));
    pool = createPool(env.config.database.url, 2);
  });
  beforeEach(async () => {
    await pool?.query(`TRUNCATE ${tables}`);
  });
  afterAll(async () => {
    await pool?.end();
    await env?.cleanup();
  });
  return {
    get pool(): Pool {
      if (!pool) throw new Error('the read-model database is not ready yet');
      return pool;
    },
    spec: () => projectionSpec(pool as Pool, PROJECTIONS),
  };
}
