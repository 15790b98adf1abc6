import { randomUUID } from 'node:crypto';
import { AssignerProtocol } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Processor } from '../../processors/runtime/processor.ts';
import { type RunningProcessor, startProcessor } from '../../processors/runtime/runner.ts';
import { eventually } from '../support/environment.ts';
import { documentUploaded } from '../support/events.ts';
import { createHarness, type Harness } from '../support/harness.ts';

/** Records which replica decided each document. */
function soloProcessor(
  replica: string,
  decidedBy: Map<string, string>,
): Processor<'DocumentUploaded'> {
  return {
    name: 'solo',
    version: '1.0.0',
    consumes: ['DocumentUploaded'],
    exclusive: true,
    async handle(event) {
      decidedBy.set(event.metadata.aggregateId, replica);
      return [];
    },
  };
}

describe('an exclusive processor with several replicas', () => {
  let h: Harness;
  const running = new Map<string, RunningProcessor>();
  const decidedBy = new Map<string, string>();

  const start = async (replica: string) => {
    running.set(
      replica,
      await startProcessor(soloProcessor(replica, decidedBy), {
        ...h,
        clock: { now: Date.now, newId: randomUUID },
        settings: {
          instanceId: replica,
          concurrency: 2,
          chunk: h.config.processors.chunk,
          partitionsConcurrently: h.config.processors.partitionsConcurrently,
          transactionTimeoutMs: 30_000,
          retry: { maxRetries: 1, baseMs: 10, maxMs: 50, maxHoldMs: 1000 },
          restart: h.config.consumers.restart,
          sessionTimeoutMs: h.config.consumers.sessionTimeoutMs,
          heartbeatIntervalMs: h.config.consumers.heartbeatIntervalMs,
        },
      }),
    );
  };
  /** Partitions per member of the group, once it is stable with `members` members. */
  const assignments = (members: number) =>
    eventually(async () => {
      const [group] = (await h.admin.describeGroups([h.topics.consumerGroup('solo')])).groups;
      expect(group?.state).toBe('Stable');
      expect(group?.members).toHaveLength(members);
      return (group?.members ?? []).map((member) => {
        const decoded = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
        return Object.values(decoded?.assignment ?? {}).flat().length;
      });
    }, 30_000);
  const decide = async () => {
    const event = documentUploaded();
    await h.eventLog.append(event);
    return eventually(() => {
      const replica = decidedBy.get(event.metadata.aggregateId);
      expect(replica).toBeDefined();
      return replica;
    }, 30_000);
  };

  beforeAll(async () => {
    h = await createHarness([], ['solo']);
  });
  afterAll(async () => {
    for (const processor of running.values()) await processor.stop();
    await h?.close();
  });

  it('lets the first replica decide alone, and the standby take over when it leaves', async () => {
    await start('first');
    await start('second');
    // Three partitions of the document log and three of the redrive topic, all on one member.
    expect((await assignments(2)).sort()).toEqual([0, 6]);
    expect(await decide()).toBe('first');
    expect(await decide()).toBe('first');

    await running.get('first')?.stop();
    running.delete('first');
    expect(await assignments(1)).toEqual([6]);
    expect(await decide()).toBe('second');
  });
});
