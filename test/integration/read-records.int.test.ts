import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DocstreamError } from '../../infra/errors.ts';
import { createEventReader, type EventReader } from '../../infra/kafka/read-records.ts';
import type { DomainEvent, LogPosition } from '../../schemas/events.ts';
import { chainOf, documentUploaded, patientRegistered } from '../support/events.ts';
import { createHarness, type Harness } from '../support/harness.ts';

describe('reading the records at given positions with one standing consumer', () => {
  let h: Harness;
  let reader: EventReader;
  const written: { event: DomainEvent; position: LogPosition }[] = [];

  beforeAll(async () => {
    h = await createHarness();
    // Several documents' chains (several partitions) and patients on a second log.
    for (let i = 0; i < 4; i++) {
      const upload = documentUploaded();
      const chain = chainOf(upload);
      for (const event of [upload, chain.validated(), chain.textExtracted(['GLUCOSA 98 mg/dL'])]) {
        written.push({ event, position: await h.eventLog.append(event) });
      }
      const patient = patientRegistered(randomUUID());
      written.push({ event: patient, position: await h.eventLog.append(patient) });
    }
    reader = createEventReader(h.kafka, h.codec, {
      topics: [h.topics.events.document, h.topics.events.patient],
      timeoutMs: 5_000,
      logger: h.logger,
    });
  }, 120_000);

  afterAll(async () => {
    await reader?.stop();
    await h?.close();
  });

  it('answers each read with its events in the order asked, reads overlapping on a partition', async () => {
    const reversed = [...written].reverse();
    const asks = [reversed, written.slice(0, 3), written.slice(4, 8), [written[5], written[1]]];
    // Concurrent: later offsets asked first, then earlier ones on the same partitions.
    const answers = await Promise.all(
      asks.map((ask) => reader.readEvents(ask.map((w) => (w as (typeof written)[0]).position))),
    );
    asks.forEach((ask, i) => {
      expect(answers[i]).toEqual(ask.map((w) => (w as (typeof written)[0]).event));
    });
    // And again, once every partition is paused: the same answers.
    expect(await reader.readEvents(written.map((w) => w.position))).toEqual(
      written.map((w) => w.event),
    );
  });

  it('fails a read of a record the log does not have, and goes on answering the next', async () => {
    const [first] = written;
    if (!first) throw new Error('nothing written');
    const beyond = { ...first.position, offset: '999999' };
    const failed = await reader.readEvents([first.position, beyond]).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(DocstreamError);
    expect((failed as DocstreamError).code).toBe('EVENT_LOG_UNAVAILABLE');
    expect(await reader.readEvents([first.position])).toEqual([first.event]);
  }, 30_000);

  it('refuses a position on a log it does not read', async () => {
    const [first] = written;
    if (!first) throw new Error('nothing written');
    const elsewhere = { ...first.position, topic: h.topics.events.audit };
    await expect(reader.readEvents([elsewhere])).rejects.toMatchObject({
      code: 'EVENT_LOG_UNAVAILABLE',
    });
  });
});
