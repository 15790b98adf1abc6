import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toKafkaMessage } from '../../infra/kafka/event-log.ts';
import { defineProjection, insertRow } from '../../projections/runtime/projection.ts';
import {
  applyBatch,
  deadLetterConsumer,
  type LogMessage,
} from '../../projections/runtime/runner.ts';
import { timelineProjection } from '../../projections/timeline/projection.ts';
import type { DomainEvent } from '../../schemas/events.ts';
import { documentUploaded } from '../support/events.ts';
import { createHarness, type Harness } from '../support/harness.ts';

// Rows of one shape are sent as one multi-row INSERT per batch and tenant (`insertRow`): what
// each event's row would have been alone must still hold, tenant by tenant and event by event.
const POISON = 'poisoned';
const roundsOnly = defineProjection({
  name: 'rounds-only',
  handlers: {
    DocumentUploaded: (event, position) => [
      insertRow(
        `INSERT INTO document_timeline (tenant_id, document_id, event_id, event_type, topic,
           partition, "offset", occurred_at, actor, correlation_id, causation_id, round)`,
        'ON CONFLICT (tenant_id, event_id) DO NOTHING',
        event.metadata.tenantId,
        event.metadata.aggregateId,
        event.metadata.eventId,
        event.type,
        position.topic,
        position.partition,
        position.offset,
        new Date(event.metadata.occurredAt),
        event.metadata.actor,
        event.metadata.correlationId,
        event.metadata.causationId,
        // Not an integer: the row of this one event fails, as a constraint would.
        event.data.fileName === POISON ? 'not a round' : 1,
      ),
    ],
  },
});

describe('rows appended by a read model, a batch at a time', () => {
  let h: Harness;
  let offset = 0;
  const messagesOf = async (events: DomainEvent[]): Promise<LogMessage[]> =>
    Promise.all(
      events.map(async (event) => {
        const at = offset++;
        const message = await toKafkaMessage(event, h.codec);
        return {
          offset: String(at),
          key: Buffer.from(event.metadata.aggregateId),
          value: message.value as Buffer,
          headers: message.headers ?? {},
        };
      }),
    );
  const apply = async (
    projection: typeof roundsOnly | typeof timelineProjection,
    events: DomainEvent[],
    isolate = false,
  ) =>
    applyBatch(
      projection,
      { topic: h.topics.events.document, partition: 0, messages: await messagesOf(events) },
      h,
      isolate ? { isolate: { maxRetries: 1, baseMs: 1 } } : {},
    );
  const rowsOf = async (events: DomainEvent[]) => {
    const { rows } = await h.pool.query<{ tenant_id: string; event_id: string }>(
      'SELECT tenant_id, event_id FROM document_timeline WHERE event_id = ANY($1) ORDER BY "offset"',
      [events.map((e) => e.metadata.eventId)],
    );
    return rows.map((r) => `${r.tenant_id}/${r.event_id}`);
  };
  const expected = (events: DomainEvent[]) =>
    events.map((e) => `${e.metadata.tenantId}/${e.metadata.eventId}`);

  beforeAll(async () => {
    h = await createHarness([deadLetterConsumer(roundsOnly)]);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('appends every event’s row under its own tenant, tenants interleaved, once when redelivered', async () => {
    const upload = (tenantId: string) => documentUploaded({ metadata: { tenantId } });
    const events = ['clinic-a', 'clinic-a', 'clinic-b', 'clinic-a', 'clinic-b', 'clinic-b'].map(
      upload,
    );
    expect(await apply(timelineProjection, events)).toMatchObject({ applied: 6, deadLettered: 0 });
    expect(await rowsOf(events)).toEqual(expected(events));
    // The same events again under new offsets (a copy appended twice): still one row each.
    await apply(timelineProjection, events);
    expect(await rowsOf(events)).toEqual(expected(events));
  });

  it('dead-letters only the event whose row fails, and appends the rows around it', async () => {
    const events = [1, 2, 3, 4, 5].map((n) =>
      documentUploaded({ data: { fileName: n === 3 ? POISON : `report-${n}.pdf` } }),
    );
    // Together, the rows fail as one statement and the whole batch rolls back, as the runner sees
    // it before it applies the batch again event by event.
    await expect(apply(roundsOnly, events)).rejects.toMatchObject({ code: '22P02' });
    expect(await rowsOf(events)).toEqual([]);
    offset -= events.length;
    expect(await apply(roundsOnly, events, true)).toMatchObject({ deadLettered: 1 });
    const kept = events.filter((e) => e.data.fileName !== POISON);
    expect(await rowsOf(events)).toEqual(expected(kept));
  });
});
