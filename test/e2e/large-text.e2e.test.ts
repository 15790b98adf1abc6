import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../../infra/kafka/client.ts';
import { readTopic } from '../../infra/kafka/read-topic.ts';
import { topicNames } from '../../infra/kafka/topics.ts';
import { createLogger } from '../../infra/logger.ts';
import { TERMINAL_STATUSES } from '../../projections/documents/projection.ts';
import type { TextExtracted } from '../../schemas/events.ts';
import { type System, startSystem } from '../../system/system.ts';
import { largeLabText } from '../fixtures/large-text.ts';
import { apiClient } from '../support/api-client.ts';
import { issueKey } from '../support/credentials.ts';
import { createTestEnvironment, eventually, type TestEnvironment } from '../support/environment.ts';
import { openingCodec } from '../support/opening-codec.ts';

const PAGE_MAX_BYTES = 256 * 1024;

describe('a 30 MB plain-text document, with the API and every processor in one process', () => {
  let env: TestEnvironment;
  let system: System;
  let api: ReturnType<typeof apiClient>;
  let admin: Admin;

  /** The document's TextExtracted as the log holds it. */
  async function textExtracted(documentId: string): Promise<TextExtracted> {
    const topics = topicNames(env.config.topics.prefix);
    const kafka = createKafka(env.config, createLogger('warn'));
    const messages = await readTopic(kafka, admin, topics.events.document, 60_000);
    const mine = messages.filter(
      (m) => m.key === documentId && m.headers['event-type'] === 'TextExtracted',
    );
    expect(mine).toHaveLength(1);
    // Opened with the environment's keys: a page's text, when inline, is sealed in the log.
    const { codec, close } = await openingCodec(env.config);
    try {
      return (await codec.decode(mine[0]?.value as Buffer)) as TextExtracted;
    } finally {
      await close();
    }
  }

  beforeAll(async () => {
    env = await createTestEnvironment({
      TEXT_PAGE_MAX_BYTES: String(PAGE_MAX_BYTES),
      // Below the document's size: the large parts go to the worker threads.
      OFFLOAD_MIN_BYTES: String(64 * 1024),
    });
    system = await startSystem(env.config, createLogger('warn'));
    const { key } = await issueKey(env.config.database.url, 'clinic-large');
    api = apiClient(system.url as string, 'clinic-large', key);
    admin = createKafka(env.config, createLogger('warn')).admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.disconnect();
    await system?.stop();
    await env?.cleanup();
  });

  it('goes through the chain; its page text is cut at the limit and kept as a blob', async () => {
    const text = largeLabText(30 * 1024 * 1024);
    const { documentId } = await api.upload(text, 'acumulado.txt');

    const document = await eventually(async () => {
      const { body } = await api.document(documentId);
      expect(TERMINAL_STATUSES).toContain(body.status);
      return body;
    }, 600_000);
    expect(document).toMatchObject({
      status: 'classified',
      text: { method: 'plain-text' },
      classification: { documentType: 'lab-result' },
    });

    const extracted = await textExtracted(documentId);
    // Too large for its event: the text is in the blob store, the event holds its reference.
    expect(extracted.data.textRef).toEqual(expect.any(String));
    expect(extracted.data.pages).toHaveLength(1);
    expect(extracted.data.pages[0]?.text).toBeNull();

    const { body: pages } = await eventually(async () => {
      const answer = await api.text(documentId);
      expect(answer.body.pages).toHaveLength(1);
      return answer;
    }, 120_000);
    const kept = pages.pages[0].text as string;
    const keptBytes = Buffer.byteLength(kept);
    expect(keptBytes).toBeLessThanOrEqual(PAGE_MAX_BYTES);
    expect(keptBytes).toBeGreaterThan(PAGE_MAX_BYTES - 200);
    // The start of the document, as uploaded (its lines end without trailing spaces).
    const start = text.toString('utf8', 0, 4096).split('\n').slice(0, 8);
    expect(kept.split('\n').slice(0, 8)).toEqual(start.map((line) => line.trimEnd()));
    expect(extracted.data.charCount).toBe([...kept].length);

    const { body: found } = await api.search('Hemoglobina glucosada');
    expect(found.items.map((hit: { documentId: string }) => hit.documentId)).toContain(documentId);
  });
});
