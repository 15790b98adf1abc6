import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../../infra/kafka/client.ts';
import { eventHeaders, topicOf } from '../../infra/kafka/event-log.ts';
import { readTopic } from '../../infra/kafka/read-topic.ts';
import { topicNames } from '../../infra/kafka/topics.ts';
import { createLogger } from '../../infra/logger.ts';
import { type System, startSystem } from '../../system/system.ts';
import { formatDate } from '../fixtures/corpus/dates.ts';
import { exportedName } from '../fixtures/corpus/people.ts';
import { generateCorpus } from '../fixtures/corpus.ts';
import { textPdf } from '../fixtures/files.ts';
import { apiClient } from '../support/api-client.ts';
import { issueKey } from '../support/credentials.ts';
import { createTestEnvironment, eventually, type TestEnvironment } from '../support/environment.ts';
import { chainOf, documentUploaded } from '../support/events.ts';
import { grepTopics, topicsOfPrefix } from '../support/grep-topics.ts';
import { openingCodec } from '../support/opening-codec.ts';

const TENANT = 'clinic-sealed';
const lab = generateCorpus({ perTypeAndLanguage: 1 }).find(
  (d) => d.language === 'spa' && d.documentType === 'lab-result',
)!;
const { patient } = lab.truth;
const plain = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '');

describe('the log holds no patient data in clear', () => {
  let env: TestEnvironment;
  let system: System;
  let api: ReturnType<typeof apiClient>;

  const decided = (id: string) =>
    eventually(async () => {
      const { body } = await api.document(id);
      expect(body.patientMatch?.status).toBeDefined();
      return body;
    }, 120_000);

  beforeAll(async () => {
    env = await createTestEnvironment({ OCR_WORKERS: '1' });
    system = await startSystem(env.config, createLogger('warn'));
    const { key } = await issueKey(env.config.database.url, TENANT);
    api = apiClient(system.url as string, TENANT, key);
  });
  afterAll(async () => {
    await system?.stop();
    await env?.cleanup();
  });

  it('after documents flow through every processor, no topic has the name, record number or date of birth', async () => {
    const fileName = `${patient.recordNumber}_${exportedName(patient)}_7_LAB.pdf`;
    const first = await api.upload(await textPdf(lab.lines), fileName, {
      externalPatientId: `EXT-${patient.recordNumber}`,
    });
    const registered = await decided(first.documentId);
    // The read models were folded from the sealed events: they have what the log hides.
    expect(registered.fileName).toBe(fileName);
    expect(registered.patientMatch.status).toBe('registered');
    // A later visit names the same patient: matched, and linked under the patient's key.
    const second = await api.upload(await textPdf(lab.lines), 'control.pdf');
    expect((await decided(second.documentId)).patientMatch.patientId).toBe(
      registered.patientMatch.patientId,
    );

    const { body: record } = await api.get(
      `/patients/${registered.patientMatch.patientId}?tenantId=${TENANT}`,
    );
    expect(JSON.stringify(record)).toContain(patient.recordNumber);

    // A dead letter too: the document's text, its ciphertext altered, refused by its readers.
    const kafka = createKafka(env.config, createLogger('silent'));
    const { codec, close } = await openingCodec(env.config);
    const upload = documentUploaded({ metadata: { tenantId: TENANT } });
    const tampered = chainOf(upload).textExtracted([lab.lines.join('\n')]);
    const value = await codec.encode(tampered);
    await close();
    value[value.length - 2]! ^= 0x01;
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: topicOf(tampered, topicNames(env.config.topics.prefix)),
      acks: -1,
      messages: [{ key: upload.metadata.aggregateId, value, headers: eventHeaders(tampered) }],
    });
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await eventually(async () => {
      const letters = await readTopic(
        kafka,
        admin,
        topicNames(env.config.topics.prefix).deadLetter('classify'),
      );
      expect(letters.map((l) => l.key)).toContain(upload.metadata.aggregateId);
    }, 60_000);
    await admin.disconnect();

    const born = patient.dateOfBirth;
    const needles = [
      ...new Set([
        patient.recordNumber,
        ...(patient.curp ? [patient.curp] : []),
        exportedName(patient),
        patient.surnames,
        plain(patient.surnames),
        patient.givenNames,
        plain(patient.givenNames),
        born,
        formatDate(born, 'DMY'),
        formatDate(born, 'MDY'),
        born.replaceAll('-', ''),
      ]),
    ];
    const topics = await topicsOfPrefix(kafka, env.config.topics.prefix);
    expect(topics.some((t) => t.includes('dead-letter') || t.includes('dlq'))).toBe(true);
    const found = await grepTopics(kafka, topics, [...needles, first.documentId]);
    // The grep reads what is there: the document's id is in clear, as ids are meant to be.
    expect(found.get(first.documentId)).toBeGreaterThan(0);
    found.delete(first.documentId);
    expect(Object.fromEntries(found)).toEqual(Object.fromEntries(needles.map((n) => [n, 0])));
  }, 600_000);
});
