import { expect } from 'vitest';
import { type Pool, withTransaction } from '../../infra/postgres.ts';
import type { Projection, ProjectionPorts } from '../../projections/runtime/projection.ts';
import type { DomainEvent } from '../../schemas/events.ts';

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
