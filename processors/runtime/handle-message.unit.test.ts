import { randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createBreakers } from '../../infra/breakers.ts';
import type { DomainEvent } from '../../schemas/events.ts';
import { documentUploaded } from '../../test/support/events.ts';
import { handleMessage } from './handle-message.ts';
import { type Processor, permanent, transient } from './processor.ts';
import { decideChunk } from './runner.ts';

const upload = documentUploaded();
const message = (type = 'DocumentUploaded') =>
  ({ headers: { 'event-type': type }, value: Buffer.from('encoded') }) as Pick<
    KafkaMessage,
    'headers' | 'value'
  >;

function context(maxRetries: number) {
  const decoded: Buffer[] = [];
  return {
    decoded,
    ctx: {
      codec: {
        decode: async (value: Buffer) => {
          decoded.push(value);
          return upload as DomainEvent;
        },
      },
      retry: { maxRetries, baseMs: 1, maxMs: 2, maxHoldMs: 60_000 },
      clock: { now: () => 42, newId: randomUUID },
      heartbeat: async () => {},
      signal: new AbortController().signal,
    },
  };
}

function processorThat(fail: (attempt: number) => Error | null) {
  let attempts = 0;
  const processor: Processor<'DocumentUploaded'> = {
    name: 'p',
    version: '1.2.3',
    consumes: ['DocumentUploaded'],
    async handle() {
      const error = fail(++attempts);
      if (error) throw error;
      return [{ type: 'DocumentRejected', data: { round: 1, reason: 'X', message: 'x' } }];
    },
  };
  return { processor, attempts: () => attempts };
}

describe('handleMessage', () => {
  it('skips a type it does not consume by its header, without decoding', async () => {
    const { ctx, decoded } = context(3);
    const { processor } = processorThat(() => null);
    expect(await handleMessage(processor, message('TextExtracted'), ctx)).toEqual({
      kind: 'skipped',
    });
    expect(decoded).toEqual([]);
  });

  it('envelopes what the processor decided: caused by the event, acted by name@version', async () => {
    const { ctx } = context(3);
    const outcome = await handleMessage(processorThat(() => null).processor, message(), ctx);
    expect(outcome).toMatchObject({
      kind: 'emitted',
      events: [
        {
          type: 'DocumentRejected',
          metadata: {
            occurredAt: 42,
            tenantId: upload.metadata.tenantId,
            aggregateId: upload.metadata.aggregateId,
            correlationId: upload.metadata.correlationId,
            causationId: upload.metadata.eventId,
            actor: 'p@1.2.3',
          },
        },
      ],
    });
  });

  it('retries transient failures up to the limit, then gives up with the reason', async () => {
    const { ctx } = context(2);
    const flaky = processorThat((n) => (n <= 2 ? transient(`attempt ${n}`) : null));
    expect((await handleMessage(flaky.processor, message(), ctx)).kind).toBe('emitted');
    expect(flaky.attempts()).toBe(3);

    const down = processorThat(() => transient('still down'));
    expect(await handleMessage(down.processor, message(), ctx)).toMatchObject({
      kind: 'failed',
      reason: 'ProcessingError: still down',
      event: upload,
    });
    expect(down.attempts()).toBe(3);
  });

  it('never retries a permanent failure or a programmer error', async () => {
    const { ctx } = context(5);
    for (const error of [permanent('unreadable'), new TypeError('x is undefined')]) {
      const broken = processorThat(() => error);
      expect((await handleMessage(broken.processor, message(), ctx)).kind).toBe('failed');
      expect(broken.attempts()).toBe(1);
    }
  });

  it('waits out an open breaker without spending its retries', async () => {
    const { ctx } = context(0);
    const breakers = createBreakers({ resetMs: 20 });
    let healthy = false;
    const ocr = breakers.guard('ocr', async () => {
      if (!healthy) throw new Error('pool crashed');
    });
    for (let i = 0; i < 3; i++) await ocr().catch(() => {});
    expect(breakers.states().ocr).toBe('open');
    let calls = 0;
    const processor: Processor<'DocumentUploaded'> = {
      ...processorThat(() => null).processor,
      async handle() {
        calls++;
        healthy = true;
        await ocr();
        return [];
      },
    };
    expect(await handleMessage(processor, message(), ctx)).toEqual({ kind: 'emitted', events: [] });
    expect(calls).toBe(2);
    breakers.shutdown();
  });

  it('fails an event held past the hold limit, naming the dependency', async () => {
    const { ctx } = context(0);
    const breakers = createBreakers({ resetMs: 60_000 });
    const ocr = breakers.guard('ocr', async () => {
      throw new Error('pool crashed');
    });
    for (let i = 0; i < 3; i++) await ocr().catch(() => {});
    const processor: Processor<'DocumentUploaded'> = {
      ...processorThat(() => null).processor,
      handle: async () => {
        await ocr();
        return [];
      },
    };
    const outcome = await handleMessage(processor, message(), {
      ...ctx,
      retry: { ...ctx.retry, maxHoldMs: 0 },
    });
    expect(outcome).toMatchObject({
      kind: 'failed',
      reason: 'DependencyUnavailableError: ocr is unavailable (circuit open)',
    });
    breakers.shutdown();
  });
});

describe('decideChunk', () => {
  it('keeps the order of one document and runs documents side by side', async () => {
    const log: string[] = [];
    const release: Array<() => void> = [];
    const chunk = ['a', 'b', 'a'].map((key, i) => ({ key: Buffer.from(key), offset: String(i) }));
    const decided = decideChunk(
      chunk as KafkaMessage[],
      async (m) => {
        log.push(`start ${m.key}${m.offset}`);
        if (m.offset === '0') await new Promise<void>((resolve) => release.push(resolve));
        log.push(`end ${m.key}${m.offset}`);
        return { kind: 'skipped' };
      },
      4,
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['start a0', 'start b1', 'end b1']);
    release[0]?.();
    expect(await decided).toHaveLength(3);
    expect(log.slice(3)).toEqual(['end a0', 'start a2', 'end a2']);
  });
});
