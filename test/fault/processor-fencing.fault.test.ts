import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../../infra/kafka/client.ts';
import type { Processor } from '../../processors/runtime/processor.ts';
import {
  type ProcessorDeps,
  type RunningProcessor,
  runtimeSettingsOf,
  startProcessor,
} from '../../processors/runtime/runner.ts';
import type { DomainEvent } from '../../schemas/events.ts';
import { eventually } from '../support/environment.ts';
import { documentUploaded } from '../support/events.ts';
import { createHarness, type Harness, readTopic } from '../support/harness.ts';

/**
 * How long the coordinator waits for a member to join a rebalance before it drops it. A member
 * stuck deciding a chunk cannot join: it is dropped after this, still holding the chunk.
 */
const REBALANCE_MS = 6000;

interface Replica {
  readonly processor: Processor<'DocumentUploaded'>;
  /** What the runner told it about each chunk it decided: committed, or abandoned. */
  readonly settled: boolean[];
  /** Documents it began deciding. */
  readonly entered: Set<string>;
}

/** Validates every upload, stamping its decisions with `mark`, after waiting for `gate`. */
function replica(mark: number, gate: Promise<void> = Promise.resolve()): Replica {
  const settled: boolean[] = [];
  const entered = new Set<string>();
  return {
    settled,
    entered,
    processor: {
      name: 'gated',
      version: '1.0.0',
      consumes: ['DocumentUploaded'],
      async handle(event) {
        entered.add(event.metadata.aggregateId);
        await gate;
        return [
          {
            type: 'DocumentValidated',
            data: {
              round: 1,
              mediaType: event.data.mediaType,
              blobRef: event.data.blobRef,
              pageCount: mark,
              pages: [],
              hint: null,
            },
          },
        ];
      },
      settled: (committed) => void settled.push(committed),
    },
  };
}

describe('a processor member dropped from its group in the middle of a chunk', () => {
  let h: Harness;
  const running: RunningProcessor[] = [];
  let deps: ProcessorDeps;

  const start = async (r: Replica, instanceId: string) => {
    const settings = { ...deps.settings, instanceId };
    running.push(await startProcessor(r.processor, { ...deps, settings }));
  };
  const validationsOf = async (documentId: string) => {
    const messages = await readTopic(h.kafka, h.admin, h.topics.events.document);
    const events: DomainEvent[] = [];
    for (const m of messages.filter((m) => m.key === documentId && m.value)) {
      events.push(await h.codec.decode(m.value as Buffer));
    }
    return events.filter((e) => e.type === 'DocumentValidated');
  };
  const groupMembers = async () => {
    const [group] = (await h.admin.describeGroups([h.topics.consumerGroup('gated')])).groups;
    return group?.state === 'Stable' ? (group.members.length ?? 0) : -1;
  };

  beforeAll(async () => {
    h = await createHarness(['gated'], ['gated']);
    const kafka = createKafka(h.config, h.logger);
    const consumer = kafka.consumer.bind(kafka);
    kafka.consumer = (options) => consumer({ ...options, rebalanceTimeout: REBALANCE_MS });
    deps = {
      ...h,
      kafka,
      clock: { now: Date.now, newId: randomUUID },
      settings: {
        ...runtimeSettingsOf(h.config),
        instanceId: 'unset',
        concurrency: 2,
        transactionTimeoutMs: 60_000,
        retry: { maxRetries: 1, baseMs: 10, maxMs: 50, maxHoldMs: 1000 },
      },
    };
  });
  afterAll(async () => {
    for (const processor of running) await processor.stop();
    await h?.close();
  });

  it('cannot commit it once the member that took its partition over has decided it', async () => {
    let open = () => {};
    const stalled = replica(1, new Promise<void>((resolve) => (open = resolve)));
    const taker = replica(2);

    await start(stalled, 'stalled');
    await eventually(async () => expect(await groupMembers()).toBe(1), 30_000);
    const upload = documentUploaded();
    const id = upload.metadata.aggregateId;
    await h.eventLog.append(upload);
    await eventually(() => expect(stalled.entered.has(id)).toBe(true), 30_000);

    // The stalled member cannot join the rebalance the second one starts: the group drops it and
    // gives every partition to the second, which decides the upload again and commits it.
    await start(taker, 'taker');
    const [decided] = await eventually(async () => {
      const found = await validationsOf(id);
      expect(found).toHaveLength(1);
      return found;
    }, 40_000);
    expect(decided?.data).toMatchObject({ pageCount: 2 });
    expect(stalled.settled).toEqual([]);

    // Let the stalled member finish its chunk: its transaction must be refused.
    open();
    await eventually(() => expect(stalled.settled).toContain(false), 40_000);
    expect(stalled.settled).not.toContain(true);
    expect((await validationsOf(id)).map((e) => e.data)).toEqual([decided?.data]);

    // Both go on deciding once the group has settled with the two of them.
    await eventually(async () => expect(await groupMembers()).toBe(2), 40_000);
    const next = documentUploaded();
    await h.eventLog.append(next);
    await eventually(
      async () => expect(await validationsOf(next.metadata.aggregateId)).toHaveLength(1),
      40_000,
    );
    expect(await validationsOf(id)).toHaveLength(1);
  });
});
