import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BlobStore, sealedBlobRef } from '../../infra/blobs/blob-store.ts';
import { createEventProducer, createKafka } from '../../infra/kafka/client.ts';
import { createEventLog } from '../../infra/kafka/event-log.ts';
import { topicNames } from '../../infra/kafka/topics.ts';
import { createUploadIntake } from '../../producers/upload/intake.ts';
import { textPdf } from '../fixtures/files.ts';
import { createHarness, type Harness } from '../support/harness.ts';

describe('upload intake against Kafka, PostgreSQL and the blob store', () => {
  let h: Harness;
  let blobs: BlobStore;

  beforeAll(async () => {
    h = await createHarness();
    blobs = h.blobs;
  });
  afterAll(async () => h?.close());

  const blobRef = (sha256: string) =>
    sealedBlobRef(h.encryption.contentAddress('clinic-9', sha256));
  const stage = async (bytes: Buffer) => blobs.stage(Readable.from([bytes]), 1024 * 1024);
  const request = async (bytes: Buffer) => ({
    tenantId: 'clinic-9',
    fileName: 'scan.pdf',
    externalPatientId: null,
    documentTypeHint: null,
    actor: 'api-client',
    correlationId: randomUUID(),
    staged: await stage(bytes),
  });
  const contentRows = async (sha256: string) =>
    (
      await h.pool.query('SELECT document_id FROM write_side.intake_contents WHERE sha256 = $1', [
        h.encryption.contentAddress('clinic-9', sha256),
      ])
    ).rows;

  it('stores the blob, appends DocumentUploaded and remembers the content', async () => {
    const intake = createUploadIntake({
      blobs,
      eventLog: h.eventLog,
      pool: h.pool,
      now: Date.now,
      newId: randomUUID,
      contentAddress: h.encryption.contentAddress,
    });
    const accepted = await intake(await request(await textPdf(['ok'])));
    expect(await blobs.exists('clinic-9', blobRef(accepted.sha256))).toBe(true);
    expect(await contentRows(accepted.sha256)).toEqual([{ document_id: accepted.documentId }]);
    expect(accepted.position.topic).toBe(h.topics.events.document);
  });

  it('leaves no blob and no record when the event log refuses the event', async () => {
    // A real producer pointed at topics that do not exist: the broker refuses, nothing is mocked.
    const kafka = createKafka(h.config, h.logger, {
      retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 200 },
    });
    const producer = createEventProducer(kafka);
    await producer.connect();
    try {
      const eventLog = createEventLog(producer, h.codec, topicNames(`missing-${randomUUID()}`));
      const intake = createUploadIntake({
        blobs,
        eventLog,
        pool: h.pool,
        now: Date.now,
        newId: randomUUID,
        contentAddress: h.encryption.contentAddress,
      });
      const upload = await request(await textPdf(['never stored']));
      await expect(intake(upload)).rejects.toMatchObject({
        code: 'EVENT_LOG_UNAVAILABLE',
        kind: 'unavailable',
      });
      expect(await blobs.exists('clinic-9', blobRef(upload.staged.sha256))).toBe(false);
      expect(await contentRows(upload.staged.sha256)).toEqual([]);

      // A repeat of content that is already stored keeps the first document's blob.
      const stored = await request(await textPdf(['ok']));
      await expect(intake(stored)).rejects.toMatchObject({ code: 'EVENT_LOG_UNAVAILABLE' });
      expect(await blobs.exists('clinic-9', blobRef(stored.staged.sha256))).toBe(true);
      expect(await contentRows(stored.staged.sha256)).toHaveLength(1);
    } finally {
      await producer.disconnect();
    }
  });
});
