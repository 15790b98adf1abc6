import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../../infra/kafka/client.ts';
import { readTopic } from '../../infra/kafka/read-topic.ts';
import { topicNames } from '../../infra/kafka/topics.ts';
import { createLogger } from '../../infra/logger.ts';
import { createOcrPool, type OcrEngine } from '../../processors/extract-text/ocr-pool.ts';
import { type System, startSystem } from '../../system/system.ts';
import { textPdf } from '../fixtures/files.ts';
import { renderVariant, SAMPLE_DOCUMENTS } from '../fixtures/scans.ts';
import { apiClient } from '../support/api-client.ts';
import { issueKey } from '../support/credentials.ts';
import { createTestEnvironment, eventually, type TestEnvironment } from '../support/environment.ts';

/** The real OCR pool behind a switch that makes it fail like a crashed worker pool. */
function switchableOcr(real: OcrEngine) {
  const state = { failing: false, refusedCalls: 0 };
  const engine: OcrEngine = {
    async recognize(image) {
      if (state.failing) {
        state.refusedCalls++;
        throw new Error('OCR worker pool crashed');
      }
      return real.recognize(image);
    },
    stats: () => real.stats(),
    terminate: () => real.terminate(),
  };
  return { engine, state };
}

describe('faults in dependencies and events', () => {
  let env: TestEnvironment;
  let system: System;
  let api: ReturnType<typeof apiClient>;
  const ocr = switchableOcr(
    createOcrPool({ workers: 1, languages: 'eng+spa', recycleAfterPages: 50 }),
  );

  beforeAll(async () => {
    env = await createTestEnvironment({
      BREAKER_RESET_MS: '1000',
      PROCESSOR_RETRY_BASE_MS: '50',
      PROCESSOR_MAX_RETRIES: '3',
    });
    system = await startSystem(env.config, createLogger('silent'), { ocr: ocr.engine });
    const { key } = await issueKey(env.config.database.url, 'clinic-faults');
    api = apiClient(system.url as string, 'clinic-faults', key);
  });
  afterAll(async () => {
    await system?.stop();
    await env?.cleanup();
  });

  it('opens the OCR breaker while OCR fails, holds the document, and closes after recovery', async () => {
    ocr.state.failing = true;
    const scan = await renderVariant(SAMPLE_DOCUMENTS[0]!, 'png', 3);
    const { documentId } = await api.upload(scan.bytes, scan.fileName);
    const health = await eventually(async () => {
      const { status, body } = await api.get('/health');
      expect(body.breakers.ocr).toBe('open');
      return { status, body };
    }, 30_000);
    expect(health).toMatchObject({ status: 200, body: { status: 'degraded' } });
    // Held, not failed: an outage of a dependency is not the document's fault.
    expect((await api.document(documentId)).body.status).toBe('validated');
    const refusedWhileOpen = ocr.state.refusedCalls;

    ocr.state.failing = false;
    const document = await eventually(async () => {
      const { body } = await api.document(documentId);
      expect(body.status).toBe('classified');
      return body;
    }, 90_000);
    expect(document.text.method).toBe('ocr');
    expect((await api.get('/health')).body.breakers.ocr).toBe('closed');
    // While open, the breaker refused calls without reaching the pool: few attempts got through.
    expect(ocr.state.refusedCalls).toBeLessThanOrEqual(refusedWhileOpen + 1);
    const { body: history } = await api.history(documentId);
    expect(history.events.map((e: { type: string }) => e.type)).not.toContain(
      'DocumentProcessingFailed',
    );
  });

  it('sends a poison event to the dead letters and keeps the rest flowing', async () => {
    const topics = topicNames(env.config.topics.prefix);
    const kafka = createKafka(env.config, createLogger('silent'));
    const producer = kafka.producer();
    await producer.connect();
    const poisonId = '11111111-1111-4111-8111-111111111111';
    await producer.send({
      topic: topics.events.document,
      messages: [
        {
          key: poisonId,
          value: Buffer.from('{"not":"avro"}'),
          headers: { 'event-type': 'DocumentValidated', 'tenant-id': 'clinic-faults' },
        },
      ],
    });
    await producer.disconnect();
    const { documentId } = await api.upload(
      await textPdf(['RECETA MÉDICA', 'Amoxicilina 500 mg cada 8 horas']),
      'rx.pdf',
    );
    await eventually(async () => {
      expect((await api.document(documentId)).body.status).toBe('classified');
    }, 60_000);

    const admin = kafka.admin();
    await admin.connect();
    const letters = await readTopic(kafka, admin, topics.deadLetter('extract-text'));
    await admin.disconnect();
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      key: poisonId,
      headers: { 'dlq-reason': expect.stringMatching(/wire format/) },
    });
  });
});
