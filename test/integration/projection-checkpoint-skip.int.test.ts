import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADERS } from '../../infra/kafka/event-log.ts';
import { defineProjection, sql } from '../../projections/runtime/projection.ts';
import { applyBatch, type LogMessage } from '../../projections/runtime/runner.ts';
import { createHarness, type Harness } from '../support/harness.ts';

// Folds only uploads: every other type is skipped by its header, without being decoded.
const uploadsOnly = defineProjection({
  name: 'uploads-only',
  handlers: { DocumentUploaded: () => [sql('SELECT 1')] },
});

const skipped = (offset: number): LogMessage => ({
  offset: String(offset),
  key: Buffer.from('document'),
  // Not an event at all: decoding it would fail, so a batch of these must never be decoded.
  value: Buffer.from('not decoded'),
  headers: { [HEADERS.eventType]: 'DocumentValidated' },
});

describe('a batch the read model folds nothing of', () => {
  let h: Harness;
  const checkpoint = async () => {
    const { rows } = await h.pool.query(
      `SELECT next_offset FROM projection_checkpoints WHERE projection = 'uploads-only'`,
    );
    return rows.map((row) => String(row.next_offset));
  };
  const apply = (offsets: number[]) =>
    applyBatch(
      uploadsOnly,
      { topic: h.topics.events.document, partition: 0, messages: offsets.map(skipped) },
      h,
    );

  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('moves the checkpoint past it, only forward, made the first time', async () => {
    expect(await apply([0, 1, 2])).toMatchObject({ next: 3n, deadLettered: 0 });
    expect(await checkpoint()).toEqual(['3']);
    // Offsets 3 and 4 were a transaction's commit markers: the consumer never hands them over.
    expect(await apply([5, 6, 7])).toMatchObject({ next: 8n });
    expect(await checkpoint()).toEqual(['8']);
    // Redelivered after a crash: the checkpoint already holds it and stays where it is.
    expect(await apply([6, 7])).toMatchObject({ next: 8n });
    expect(await checkpoint()).toEqual(['8']);
  });
});
