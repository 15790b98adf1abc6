import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEAD_LETTER_HEADERS } from '../../infra/kafka/dead-letter.ts';
import { listDeadLetters, redriveDeadLetters } from '../../processors/runtime/dead-letters.ts';
import { type Processor, permanent, transient } from '../../processors/runtime/processor.ts';
import {
  type RunningProcessor,
  runtimeSettingsOf,
  startProcessor,
} from '../../processors/runtime/runner.ts';
import type { DocumentUploaded, DomainEvent } from '../../schemas/events.ts';
import { eventually } from '../support/environment.ts';
import { documentUploaded } from '../support/events.ts';
import { createHarness, type Harness, readTopic } from '../support/harness.ts';

/** Validates everything, except what its file name tells it to fail on. */
function echoProcessor(behaviour: { attempts: Map<string, number>; healed: Set<string> }) {
  const processor: Processor<'DocumentUploaded'> = {
    name: 'echo',
    version: '2.1.0',
    consumes: ['DocumentUploaded'],
    async handle(event: DocumentUploaded) {
      const id = event.metadata.aggregateId;
      const attempt = (behaviour.attempts.get(id) ?? 0) + 1;
      behaviour.attempts.set(id, attempt);
      const [kind, n] = event.data.fileName.split('-');
      if (kind === 'flaky' && attempt <= Number(n)) throw transient(`flaky attempt ${attempt}`);
      if (kind === 'broken' && !behaviour.healed.has(id)) throw permanent('cannot read this one');
      if (kind === 'bug') throw new TypeError('x is undefined');
      return [
        {
          type: 'DocumentValidated',
          data: {
            round: 1,
            mediaType: event.data.mediaType,
            blobRef: event.data.blobRef,
            pageCount: attempt,
            pages: [],
            hint: null,
          },
        },
      ];
    },
  };
  return processor;
}

describe('processor runtime against Kafka and the registry', () => {
  let h: Harness;
  let running: RunningProcessor | undefined;
  const behaviour = { attempts: new Map<string, number>(), healed: new Set<string>() };

  const outputsFor = async (documentId: string) => {
    const messages = await readTopic(h.kafka, h.admin, h.topics.events.document);
    const events: DomainEvent[] = [];
    for (const m of messages.filter((m) => m.key === documentId && m.value)) {
      // The poison messages this test writes itself are not events.
      const event = await h.codec.decode(m.value as Buffer).catch(() => null);
      if (event) events.push(event);
    }
    return events.filter((e) => e.type !== 'DocumentUploaded');
  };
  const upload = async (fileName: string, tenantId = 'tenant-r') => {
    const event = documentUploaded({ metadata: { tenantId }, data: { fileName } });
    const position = await h.eventLog.append(event);
    return { event, position, id: event.metadata.aggregateId };
  };

  beforeAll(async () => {
    h = await createHarness(['echo'], ['echo']);
    running = await startProcessor(echoProcessor(behaviour), {
      ...h,
      clock: { now: Date.now, newId: randomUUID },
      settings: {
        ...runtimeSettingsOf(h.config),
        instanceId: 'test-1',
        concurrency: 4,
        transactionTimeoutMs: 30_000,
        retry: { maxRetries: 3, baseMs: 10, maxMs: 50, maxHoldMs: 60_000 },
      },
    });
  });
  afterAll(async () => {
    await running?.stop();
    await h?.close();
  });

  it('emits its decision with the envelope of its cause and commits the offsets with it', async () => {
    const { event, id, position } = await upload('scan.pdf');
    const [out, ...rest] = await eventually(async () => {
      const found = await outputsFor(id);
      expect(found).toHaveLength(1);
      return found;
    });
    expect(rest).toEqual([]);
    expect(out?.type).toBe('DocumentValidated');
    expect(out?.metadata).toMatchObject({
      tenantId: 'tenant-r',
      aggregateId: id,
      correlationId: event.metadata.correlationId,
      causationId: event.metadata.eventId,
      actor: 'echo@2.1.0',
    });
    await eventually(async () => {
      const [committed] = await h.admin.fetchOffsets({
        groupId: h.topics.consumerGroup('echo'),
        topics: [h.topics.events.document],
      });
      const done = committed?.partitions.find((p) => p.partition === position.partition);
      expect(BigInt(done?.offset ?? -1)).toBeGreaterThan(BigInt(position.offset));
    });
  });

  it('retries a transient failure with backoff and then succeeds', async () => {
    const { id } = await upload('flaky-2');
    const [out] = await eventually(async () => {
      const found = await outputsFor(id);
      expect(found).toHaveLength(1);
      return found;
    });
    expect(out).toMatchObject({ type: 'DocumentValidated', data: { pageCount: 3 } });
    expect(behaviour.attempts.get(id)).toBe(3);
  });

  it('dead-letters a poison event, records the failure on the document, and keeps flowing', async () => {
    const [poison] = await h.producer.send({
      topic: h.topics.events.document,
      acks: -1,
      messages: [
        {
          key: 'doc-poison',
          value: Buffer.from('definitely not avro'),
          headers: { 'event-type': 'DocumentUploaded', 'tenant-id': 'tenant-r', 'event-id': 'e-1' },
        },
      ],
    });
    const broken = await upload('broken-file');
    const bug = await upload('bug-report');
    const after = await upload('after.pdf');
    await eventually(async () => expect(await outputsFor(after.id)).toHaveLength(1));

    const letters = await eventually(async () => {
      const found = await readTopic(h.kafka, h.admin, h.topics.deadLetter('echo'));
      expect(found).toHaveLength(3);
      return found;
    });
    const byKey = new Map(letters.map((l) => [l.key, l]));
    expect(byKey.get('doc-poison')?.headers).toMatchObject({
      [DEAD_LETTER_HEADERS.reason]: expect.stringMatching(/wire format/),
      [DEAD_LETTER_HEADERS.topic]: h.topics.events.document,
      [DEAD_LETTER_HEADERS.offset]: poison?.baseOffset,
      [DEAD_LETTER_HEADERS.consumer]: 'echo',
    });
    expect(byKey.get(broken.id)?.headers[DEAD_LETTER_HEADERS.reason]).toMatch(
      /cannot read this one/,
    );
    expect(byKey.get(bug.id)?.headers[DEAD_LETTER_HEADERS.reason]).toMatch(/TypeError/);
    // Never retried: a permanent failure and a programmer error each had one attempt.
    expect(behaviour.attempts.get(broken.id)).toBe(1);
    expect(behaviour.attempts.get(bug.id)).toBe(1);

    const counted = await h.metrics.deadLetters.get();
    expect(counted.values.find((v) => v.labels.consumer === 'echo')?.value).toBe(3);

    const [failedPoison] = await outputsFor('doc-poison');
    expect(failedPoison).toMatchObject({
      type: 'DocumentProcessingFailed',
      metadata: { tenantId: 'tenant-r', causationId: 'e-1', actor: 'echo@2.1.0' },
      data: { processor: 'echo', round: null, failedEventType: 'DocumentUploaded' },
    });
    const [failedBroken] = await outputsFor(broken.id);
    expect(failedBroken).toMatchObject({
      type: 'DocumentProcessingFailed',
      data: {
        round: 1,
        failedEventId: broken.event.metadata.eventId,
        deadLetter: { topic: h.topics.deadLetter('echo'), offset: byKey.get(broken.id)?.offset },
      },
    });
  });

  it('lists dead letters and redrives them to the processor alone', async () => {
    const broken = await upload('broken-again');
    await eventually(async () => expect(await outputsFor(broken.id)).toHaveLength(1));
    const { entries } = await listDeadLetters(h, 'echo');
    const entry = entries.find((e) => e.documentId === broken.id);
    expect(entry).toMatchObject({
      redriven: false,
      eventType: 'DocumentUploaded',
      original: { topic: h.topics.events.document },
    });

    behaviour.healed.add(broken.id);
    const redriven = await redriveDeadLetters(h, 'echo', [entry!.id]);
    expect(redriven.map((e) => e.id)).toEqual([entry!.id]);
    const outputs = await eventually(async () => {
      const found = await outputsFor(broken.id);
      expect(found.map((e) => e.type)).toEqual(['DocumentProcessingFailed', 'DocumentValidated']);
      return found;
    });
    expect(outputs[1]?.metadata.causationId).toBe(broken.event.metadata.eventId);
    expect(
      (await listDeadLetters(h, 'echo')).entries.find((e) => e.id === entry!.id)?.redriven,
    ).toBe(true);
    await expect(redriveDeadLetters(h, 'echo', ['9:999'])).rejects.toThrow(/no dead letter 9:999/);
  });

  it('skips event types it does not consume by header, without decoding them', async () => {
    const before = (await readTopic(h.kafka, h.admin, h.topics.deadLetter('echo'))).length;
    await h.producer.send({
      topic: h.topics.events.document,
      acks: -1,
      messages: [
        {
          key: 'doc-x',
          value: Buffer.from('garbage'),
          headers: { 'event-type': 'DocumentRejected' },
        },
      ],
    });
    const after = await upload('marker.pdf');
    await eventually(async () => expect(await outputsFor(after.id)).toHaveLength(1));
    expect((await readTopic(h.kafka, h.admin, h.topics.deadLetter('echo'))).length).toBe(before);
    expect(await outputsFor('doc-x')).toEqual([]);
  });
});
