import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentSubject } from '../../infra/crypto/envelope.ts';
import { KeyDestroyedError } from '../../infra/crypto/errors.ts';
import type { EventLog } from '../../infra/kafka/event-log.ts';
import { createErasure } from '../../producers/erasure/erase.ts';
import { documentsProjection } from '../../projections/documents/projection.ts';
import { documentUploaded } from '../support/events.ts';
import { createHarness, type Harness } from '../support/harness.ts';

const TENANT = 'tenant-erasure';
const request = (documentId: string) => ({
  tenantId: TENANT,
  documentId,
  principal: 'key:0123456789abcdef',
  reason: 'uploaded by mistake',
});

describe('erasing a document on the real key store, database, blob store and log', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  /** A stored document: its sealed file, a sealed value of its subject, its rows. */
  async function storedDocument() {
    const documentId = randomUUID();
    const blobRef = await h.blobs.put(TENANT, Buffer.from(`lab report ${documentId}`), documentId);
    const sealed = await h.encryption.encryptFor(
      documentSubject(TENANT, documentId),
      'PEREZ LOPEZ, ANA',
      'test',
    );
    const upload = documentUploaded({
      metadata: { tenantId: TENANT, aggregateId: documentId },
      data: { blobRef },
    });
    const position = { topic: h.topics.events.document, partition: 0, offset: '0' };
    for (const statement of documentsProjection.handle(upload, position)) {
      await h.pool.query(statement.text, [...statement.values]);
    }
    await h.pool.query(
      'INSERT INTO write_side.intake_contents (tenant_id, sha256, document_id) VALUES ($1, $2, $3)',
      [TENANT, randomUUID(), documentId],
    );
    return { documentId, blobRef, sealed };
  }

  const erasure = (eventLog: EventLog) =>
    createErasure({
      pool: h.pool,
      eventLog,
      keys: h.encryption,
      blobs: h.blobs,
      logger: h.logger,
      now: Date.now,
      newId: randomUUID,
    });

  const guardRows = async (documentId: string) =>
    (
      await h.pool.query('SELECT erased_by, reason FROM write_side.erasures WHERE subject = $1', [
        `document:${documentId}`,
      ])
    ).rows;

  it('given a log that refuses the event, the keys are destroyed anyway and asking again completes it', async () => {
    const { documentId, blobRef, sealed } = await storedDocument();
    const refusing: EventLog = { append: () => Promise.reject(new Error('broker down')) };

    await expect(erasure(refusing).eraseDocument(request(documentId))).rejects.toMatchObject({
      code: 'EVENT_LOG_UNAVAILABLE',
    });
    // Half-way: nothing is readable any more, and nothing says it was erased.
    await expect(h.encryption.decrypt(sealed)).rejects.toBeInstanceOf(KeyDestroyedError);
    await expect(h.blobs.read(TENANT, blobRef)).rejects.toBeInstanceOf(KeyDestroyedError);
    expect(await guardRows(documentId)).toEqual([]);

    const { event, position } = await erasure(h.eventLog).eraseDocument(request(documentId));
    expect(event).toMatchObject({
      type: 'DocumentErased',
      metadata: { aggregateId: documentId, actor: 'key:0123456789abcdef' },
      data: { reason: 'uploaded by mistake', destroyedSubjects: [`document:${documentId}`] },
    });
    expect(position.topic).toBe(h.topics.events.document);
    expect(await guardRows(documentId)).toEqual([
      { erased_by: 'key:0123456789abcdef', reason: 'uploaded by mistake' },
    ]);
    expect(await h.blobs.exists(TENANT, blobRef)).toBe(false);
    const { rows: intake } = await h.pool.query(
      'SELECT 1 FROM write_side.intake_contents WHERE document_id = $1',
      [documentId],
    );
    expect(intake).toEqual([]);
  });

  it('refuses a second erasure, and a document of another tenant', async () => {
    const { documentId } = await storedDocument();
    await erasure(h.eventLog).eraseDocument(request(documentId));
    await expect(erasure(h.eventLog).eraseDocument(request(documentId))).rejects.toMatchObject({
      kind: 'conflict',
      code: 'DOCUMENT_ALREADY_ERASED',
    });
    const other = await storedDocument();
    await expect(
      erasure(h.eventLog).eraseDocument({ ...request(other.documentId), tenantId: 'tenant-other' }),
    ).rejects.toMatchObject({ kind: 'not-found', code: 'DOCUMENT_NOT_FOUND' });
    expect(await h.encryption.decrypt(other.sealed)).toEqual(Buffer.from('PEREZ LOPEZ, ANA'));
  });
});
