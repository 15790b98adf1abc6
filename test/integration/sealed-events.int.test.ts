import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEAD_LETTER_HEADERS } from '../../infra/kafka/dead-letter.ts';
import { eventHeaders, topicOf } from '../../infra/kafka/event-log.ts';
import { type RunningProcessors, startProcessors } from '../../processors/start.ts';
import { documentsProjection } from '../../projections/documents/projection.ts';
import {
  deadLetterConsumer,
  type RunningProjection,
  startProjection,
} from '../../projections/runtime/runner.ts';
import { createEventCodec } from '../../schemas/codec.ts';
import type { DomainEvent } from '../../schemas/events.ts';
import { eventually } from '../support/environment.ts';
import { chainOf, documentUploaded } from '../support/events.ts';
import { createHarness, type Harness, readTopic } from '../support/harness.ts';

const TENANT = 'tenant-sealed';
const NAME = 'PEREZ LOPEZ, ANA';

describe('events with sealed patient data, on the real stack', () => {
  let h: Harness;
  let processors: RunningProcessors | undefined;
  let projection: RunningProjection | undefined;

  /** The event as the codec writes it, with one byte of its ciphertext's tag flipped. */
  const appendTampered = async (event: DomainEvent) => {
    const value = await h.codec.encode(event);
    // The sealed parts are the record's last field: an array whose last byte ends it, after the
    // tag that ends the ciphertext.
    value[value.length - 2]! ^= 0x01;
    // Still a well-formed record: only the ciphertext is wrong.
    const blank = await createEventCodec(h.registry, new Map()).decode(value);
    expect(blank.metadata.eventId).toBe(event.metadata.eventId);
    await h.producer.send({
      topic: topicOf(event, h.topics),
      acks: -1,
      messages: [{ key: event.metadata.aggregateId, value, headers: eventHeaders(event) }],
    });
  };
  const documentEvents = async (type: string) => {
    const events: DomainEvent[] = [];
    for (const m of await readTopic(h.kafka, h.admin, h.topics.events.document)) {
      if (m.headers['event-type'] !== type || !m.value) continue;
      events.push(await h.codec.decode(m.value));
    }
    return events;
  };

  beforeAll(async () => {
    h = await createHarness(['classify', deadLetterConsumer(documentsProjection)], ['classify']);
  });
  afterAll(async () => {
    await processors?.stop();
    await projection?.stop();
    await h?.close();
  });

  it('dead-letters a processor’s event whose ciphertext was altered, with a reason, and keeps flowing', async () => {
    processors = await startProcessors(
      h.config,
      { ...h, clock: { now: Date.now, newId: randomUUID } },
      ['classify'],
    );
    const text = [`Paciente: ${NAME}\nResultados de laboratorio\nHemoglobina 13.2 g/dL`];
    const tampered = chainOf(documentUploaded({ metadata: { tenantId: TENANT } })).textExtracted(
      text,
    );
    const later = chainOf(documentUploaded({ metadata: { tenantId: TENANT } })).textExtracted(text);
    await appendTampered(tampered);
    await h.eventLog.append(later);

    const classified = await eventually(async () => {
      const found = (await documentEvents('DocumentClassified')).filter(
        (e) => e.metadata.aggregateId === later.metadata.aggregateId,
      );
      expect(found).toHaveLength(1);
      return found;
    }, 60_000);
    expect(classified[0]?.metadata.causationId).toBe(later.metadata.eventId);

    const letters = await eventually(async () => {
      const found = await readTopic(h.kafka, h.admin, h.topics.deadLetter('classify'));
      expect(found).toHaveLength(1);
      return found;
    });
    const reason = String(letters[0]?.headers[DEAD_LETTER_HEADERS.reason]);
    expect(letters[0]?.key).toBe(tampered.metadata.aggregateId);
    expect(reason).toMatch(/UndecodableEventError: sealed fields of document:.* refused/);
    expect(reason).toMatch(/authentication failed/);
    expect(reason).not.toContain('PEREZ');
    expect(letters[0]?.value?.includes(Buffer.from('PEREZ'))).toBe(false);
  });

  it('dead-letters a projection’s event whose ciphertext was altered, with a reason, and keeps flowing', async () => {
    projection = await startProjection(documentsProjection, h);
    const tampered = documentUploaded({ metadata: { tenantId: TENANT } });
    const later = documentUploaded({ metadata: { tenantId: TENANT } });
    await appendTampered(tampered);
    await h.eventLog.append(later);

    const row = await eventually(async () => {
      const { rows } = await h.pool.query(
        'SELECT file_name FROM documents WHERE document_id = $1',
        [later.metadata.aggregateId],
      );
      expect(rows).toHaveLength(1);
      return rows[0];
    });
    // Opened by the projection: the read model has what the log only holds sealed.
    expect(row.file_name).toBe(later.data.fileName);
    const { rows: none } = await h.pool.query('SELECT 1 FROM documents WHERE document_id = $1', [
      tampered.metadata.aggregateId,
    ]);
    expect(none).toEqual([]);

    // The processor test's altered TextExtracted is on the same log: the projection refuses it too.
    const letters = await eventually(async () => {
      const found = await readTopic(
        h.kafka,
        h.admin,
        h.topics.deadLetter(deadLetterConsumer(documentsProjection)),
      );
      const ofThis = found.filter((l) => l.key === tampered.metadata.aggregateId);
      expect(ofThis).toHaveLength(1);
      return ofThis;
    });
    expect(String(letters[0]?.headers[DEAD_LETTER_HEADERS.reason])).toMatch(
      /sealed fields of document:.* refused: ciphertext refused: authentication failed/,
    );
  });
});
