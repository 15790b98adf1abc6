import { expect } from 'vitest';
import type { Draft, Processor } from '../../processors/runtime/processor.ts';
import type { DomainEvent, EventType } from '../../schemas/events.ts';

/**
 * Processor tests read as specifications: `when(event).thenEmits(events)`, `.thenMatches(...)`,
 * `.thenThrows(...)`, `.thenNothingHappened()`. A processor keeps no state of its own, so there
 * is no `given`: what it looks up comes through the ports it was built with.
 */
export function processorSpec<T extends EventType>(processor: Processor<T>) {
  return {
    when(event: DomainEvent) {
      const run = () => processor.handle(event as never);
      return {
        async thenEmits(expected: Draft[]) {
          expect(await run()).toEqual(expected);
        },
        async thenMatches(
          expected: Array<{ type: EventType; data?: unknown; aggregateId?: string }>,
        ) {
          const drafts = await run();
          expect(drafts).toHaveLength(expected.length);
          expect(drafts).toMatchObject(expected);
          return drafts;
        },
        async thenThrows(matcher: RegExp | ((error: unknown) => boolean)) {
          const error = await run().then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error, 'the processor should have thrown').toBeDefined();
          if (matcher instanceof RegExp) expect(String((error as Error).message)).toMatch(matcher);
          else expect(matcher(error)).toBe(true);
          return error;
        },
        async thenNothingHappened() {
          expect(await run()).toEqual([]);
        },
      };
    },
  };
}
