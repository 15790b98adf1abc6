import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEAD_LETTER_HEADERS } from '../../infra/kafka/dead-letter.ts';
import { documentsProjection } from '../../projections/documents/projection.ts';
import { bindToCluster } from '../../projections/runtime/checkpoints.ts';
import {
  deadLetterConsumer,
  type RunningProjection,
  startProjection,
} from '../../projections/runtime/runner.ts';
import { timelineProjection } from '../../projections/timeline/projection.ts';
import type { DomainEvent } from '../../schemas/events.ts';
import { eventually } from '../support/environment.ts';
import { documentUploaded } from '../support/events.ts';
import { createHarness, type Harness, readTopic } from '../support/harness.ts';

const PROJECTIONS = [documentsProjection, timelineProjection];

describe('projections against Kafka and PostgreSQL', () => {
  let h: Harness;
  let running: RunningProjection[] = [];

  const start = async () => {
    running = await Promise.all(PROJECTIONS.map((p) => startProjection(p, h)));
  };
  const stop = async () => {
    await Promise.all(running.map((p) => p.stop()));
    running = [];
  };
  const count = async (table: string) =>
    Number((await h.pool.query(`SELECT count(*) FROM ${table}`)).rows[0].count);
  const applied = async (projection: string) =>
    Number(
      (
        await h.pool.query(
          'SELECT coalesce(sum(next_offset), 0) AS n FROM projection_checkpoints WHERE projection = $1',
          [projection],
        )
      ).rows[0].n,
    );
  const append = (events: DomainEvent[]) => Promise.all(events.map((e) => h.eventLog.append(e)));
  const waitForRows = (documents: number, timeline: number) =>
    eventually(async () => {
      expect(await count('documents')).toBe(documents);
      expect(await count('document_timeline')).toBe(timeline);
    });

  beforeAll(async () => {
    h = await createHarness(PROJECTIONS.map(deadLetterConsumer));
  });
  afterAll(async () => {
    await stop();
    await h?.close();
  });

  it('folds uploads into documents and a timeline with log positions', async () => {
    await start();
    const events = Array.from({ length: 20 }, () =>
      documentUploaded({ metadata: { tenantId: 'tenant-p' } }),
    );
    const positions = await append(events);
    await waitForRows(20, 20);
    const first = events[0]!;
    const { rows } = await h.pool.query(
      'SELECT topic, partition, "offset", actor FROM document_timeline WHERE tenant_id = $1 AND document_id = $2',
      ['tenant-p', first.metadata.aggregateId],
    );
    expect(rows).toEqual([
      {
        topic: h.topics.events.document,
        partition: positions[0]!.partition,
        offset: positions[0]!.offset,
        actor: 'api-client',
      },
    ]);
  });

  it('resumes from its checkpoint after a stop, with no loss and no duplicate', async () => {
    await stop();
    await append(Array.from({ length: 15 }, () => documentUploaded()));
    expect(await count('documents')).toBe(20);
    await start();
    await waitForRows(35, 35);
    await eventually(async () => expect(await applied('documents')).toBe(35));
    expect(await applied('timeline')).toBe(35);
  });

  it('applies nothing twice when Kafka redelivers what the checkpoint already holds', async () => {
    await stop();
    // As after a crash between the PostgreSQL commit and the Kafka offset commit.
    for (const p of PROJECTIONS) {
      await h.admin.resetOffsets({
        groupId: h.topics.consumerGroup(`projection-${p.name}`),
        topic: h.topics.events.document,
        earliest: true,
      });
    }
    const marker = documentUploaded();
    await start();
    await append([marker]);
    await waitForRows(36, 36);
    await eventually(async () => {
      expect(await applied('documents')).toBe(36);
      expect(await applied('timeline')).toBe(36);
    });
    expect(await count('documents')).toBe(36);
  });

  it('ignores the same event appended twice', async () => {
    const event = documentUploaded();
    await append([event, event]);
    await eventually(async () => {
      expect(await applied('documents')).toBe(38);
      expect(await applied('timeline')).toBe(38);
    });
    expect(await count('documents')).toBe(37);
    expect(await count('document_timeline')).toBe(37);
  });

  it('sends an undecodable message to the dead-letter topic and keeps going', async () => {
    const [meta] = await h.producer.send({
      topic: h.topics.events.document,
      acks: -1,
      messages: [
        {
          key: 'poison',
          value: Buffer.from('not avro at all'),
          headers: { 'event-type': 'DocumentUploaded' },
        },
      ],
    });
    const after = documentUploaded();
    await append([after]);
    await waitForRows(38, 38);
    const letters = await eventually(async () => {
      const found = await readTopic(h.kafka, h.admin, h.topics.deadLetter('projection-documents'));
      expect(found).toHaveLength(1);
      return found;
    });
    expect(letters[0]!.headers[DEAD_LETTER_HEADERS.reason]).toMatch(/wire format/);
    expect(letters[0]!.headers[DEAD_LETTER_HEADERS.offset]).toBe(meta!.baseOffset);
    expect(letters[0]!.headers[DEAD_LETTER_HEADERS.topic]).toBe(h.topics.events.document);
    expect(letters[0]!.value?.toString()).toBe('not avro at all');
    const counted = await h.metrics.deadLetters.get();
    expect(counted.values.find((v) => v.labels.consumer === 'projection-documents')?.value).toBe(1);
  });

  it('reads a partition on past what one fetch returns (a megabyte), from where it applied', async () => {
    if (running.length === 0) await start();
    // One document's events share a partition: 300 of 4 KB each are more than one fetch holds.
    const documentId = randomUUID();
    const events = Array.from({ length: 300 }, (_, i) =>
      documentUploaded({
        metadata: { tenantId: 'tenant-large', aggregateId: documentId },
        data: { fileName: `${String(i).padStart(4, '0')}-${'x'.repeat(4000)}.pdf` },
      }),
    );
    await append(events);
    await eventually(async () => {
      const { rows } = await h.pool.query(
        'SELECT count(*)::int AS n FROM document_timeline WHERE document_id = $1',
        [documentId],
      );
      expect(rows[0].n).toBe(300);
    }, 60_000);
  });

  it('binds the read models to one Kafka cluster and refuses another', async () => {
    const { clusterId } = await h.admin.describeCluster();
    await bindToCluster(h.pool, clusterId);
    await bindToCluster(h.pool, clusterId);
    await expect(bindToCluster(h.pool, 'another-cluster')).rejects.toThrow(
      /built from Kafka cluster/,
    );
  });
});
