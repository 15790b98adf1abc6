import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileBlobStore } from '../../infra/blobs/blob-store.ts';
import type { Encryption } from '../../infra/crypto/encryption.ts';
import { createSealingCodec } from '../../infra/crypto/sealing-codec.ts';
import { startKeyService } from '../../infra/crypto/service.ts';
import { createKafka } from '../../infra/kafka/client.ts';
import { readTopic } from '../../infra/kafka/read-topic.ts';
import { topicNames } from '../../infra/kafka/topics.ts';
import { createLogger } from '../../infra/logger.ts';
import { createPool, type Pool } from '../../infra/postgres.ts';
import { createSchemaRegistry, registerEventSchemas } from '../../schemas/codec.ts';
import { type System, startSystem } from '../../system/system.ts';
import { generateCorpus } from '../fixtures/corpus.ts';
import { textPdf } from '../fixtures/files.ts';
import { apiClient } from '../support/api-client.ts';
import { issueKey } from '../support/credentials.ts';
import { createTestEnvironment, eventually, type TestEnvironment } from '../support/environment.ts';
import { grepTopics, topicsOfPrefix } from '../support/grep-topics.ts';
import { runNpmScript } from '../support/processes.ts';

const TENANT = 'clinic-erasure';
const OTHER_TENANT = 'clinic-elsewhere';
const REASON = 'the patient asked to be forgotten';
const [lab] = generateCorpus({ perTypeAndLanguage: 1 }).filter(
  (d) => d.language === 'spa' && d.documentType === 'lab-result',
);
if (!lab) throw new Error('the corpus has no Spanish lab report');
const { patient } = lab.truth;
const [year, month, day] = patient.dateOfBirth.split('-');
const plain = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toUpperCase();

/** What would identify the patient, as the documents print it and as ISO. */
const NEEDLES = [
  `${patient.givenNames} ${patient.surnames}`,
  patient.surnames,
  plain(patient.surnames),
  patient.recordNumber,
  ...(patient.curp ? [patient.curp] : []),
  patient.dateOfBirth,
  `${day}/${month}/${year}`,
];

describe('erasing a patient, end to end', () => {
  let env: TestEnvironment;
  let system: System;
  let owner: Pool;
  let kafka: Kafka;
  let admin: ReturnType<typeof apiClient>;
  let reader: ReturnType<typeof apiClient>;
  let elsewhere: ReturnType<typeof apiClient>;
  let adminKeyId: string;
  let patientId: string;
  let documentIds: string[];
  let blobRefs: string[];
  /** Mentions of the patient in the logs as a reader holding the keys decodes them. */
  let decodedBefore: number;

  const decodedMentions = async () => {
    // A key service of its own each time: no data key cached from an earlier read.
    const keys = await startKeyService(env.config, owner);
    const topics = topicNames(env.config.topics.prefix);
    const registry = createSchemaRegistry(env.config.registry.url, env.config.registry.auth);
    const codec = createSealingCodec(
      registry,
      await registerEventSchemas(registry, topics),
      keys.encryption,
    );
    const kafkaAdmin = kafka.admin();
    await kafkaAdmin.connect();
    let mentions = 0;
    try {
      for (const topic of [topics.events.document, topics.events.patient]) {
        for (const record of await readTopic(kafka, kafkaAdmin, topic)) {
          if (!record.value) continue;
          const text = JSON.stringify(await codec.decode(record.value)).toLowerCase();
          for (const needle of NEEDLES) mentions += text.split(needle.toLowerCase()).length - 1;
        }
      }
    } finally {
      await kafkaAdmin.disconnect();
      await keys.close();
    }
    return mentions;
  };

  const decided = (id: string) =>
    eventually(async () => {
      const { body } = await admin.document(id);
      expect(body.patientMatch?.patientId).toBeTruthy();
      return body;
    }, 120_000);

  beforeAll(async () => {
    env = await createTestEnvironment({ OCR_WORKERS: '1' });
    system = await startSystem(env.config, createLogger('warn'));
    owner = createPool(env.config.database.url, 2);
    kafka = createKafka(env.config, createLogger('silent'));
    const url = system.url as string;
    const issued = await issueKey(env.config.database.url, TENANT);
    adminKeyId = issued.id;
    admin = apiClient(url, TENANT, issued.key);
    reader = apiClient(
      url,
      TENANT,
      (await issueKey(env.config.database.url, TENANT, ['uploader', 'reader'])).key,
    );
    elsewhere = apiClient(
      url,
      OTHER_TENANT,
      (await issueKey(env.config.database.url, OTHER_TENANT)).key,
    );

    // The export's own file name carries the record number and the name.
    const first = await admin.upload(await textPdf(lab.lines), lab.fileName);
    const registered = await decided(first.documentId);
    patientId = registered.patientMatch.patientId;
    const later = lab.lines.map((line) =>
      line.startsWith('Fecha de toma de muestra') ? 'Fecha de toma de muestra: 14/01/2025' : line,
    );
    const second = await admin.upload(await textPdf(later), 'control.pdf');
    expect((await decided(second.documentId)).patientMatch.patientId).toBe(patientId);
    documentIds = [first.documentId, second.documentId].sort();
    const test = lab.truth.labs[0]?.test ?? 'Hemoglobina';
    await eventually(async () => {
      expect((await admin.search(test)).body.items.length).toBeGreaterThan(0);
    }, 60_000);
    const { rows } = await owner.query<{ blob_ref: string }>(
      'SELECT blob_ref FROM documents WHERE document_id = ANY($1)',
      [documentIds],
    );
    blobRefs = rows.map((r) => r.blob_ref);
    expect(blobRefs).toHaveLength(2);
    decodedBefore = await decodedMentions();
  }, 300_000);

  afterAll(async () => {
    await owner?.end();
    await system?.stop();
    await env?.cleanup();
  });

  it('refuses anyone but an admin, and a body without a reason', async () => {
    const refused = await reader.post(`/patients/${patientId}/erase`, { reason: REASON });
    expect(refused.status).toBe(403);
    const unexplained = await admin.post(`/patients/${patientId}/erase`, {});
    expect(unexplained).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    expect((await admin.get(`/patients/${patientId}?tenantId=${TENANT}`)).status).toBe(200);
  });

  it('erases the patient and both documents: reads, search and files find nothing, the audit keeps who and why', async () => {
    const erased = await admin.post(`/patients/${patientId}/erase`, { reason: REASON });
    expect(erased.status, JSON.stringify(erased.body)).toBe(202);
    expect([...erased.body.documentIds].sort()).toEqual(documentIds);
    expect(erased.body.erasedSubjects).toEqual(
      expect.arrayContaining([
        `patient:${patientId}`,
        ...documentIds.map((id) => `document:${id}`),
      ]),
    );

    await eventually(async () => {
      expect((await admin.get(`/patients/${patientId}?tenantId=${TENANT}`)).status).toBe(404);
      for (const id of documentIds) {
        expect((await admin.document(id)).status).toBe(404);
        expect((await admin.text(id)).status).toBe(404);
      }
    }, 30_000);
    const test = lab.truth.labs[0]?.test ?? 'Hemoglobina';
    for (const q of [test, patient.surnames, patient.recordNumber]) {
      expect((await admin.search(q)).body.items).toEqual([]);
    }
    const { body: listed } = await admin.get(`/patients?tenantId=${TENANT}`);
    expect(listed.items.map((p: { id: string }) => p.id)).not.toContain(patientId);

    const blobs = createFileBlobStore(env.config.blobs.dir, {} as Encryption);
    for (const ref of blobRefs) expect(await blobs.exists(TENANT, ref)).toBe(false);
    const { rows: intake } = await owner.query(
      'SELECT 1 FROM write_side.intake_contents WHERE document_id = ANY($1)',
      [documentIds],
    );
    expect(intake).toEqual([]);

    const audit = await eventually(async () => {
      const { body } = await admin.get(`/audit?tenantId=${TENANT}&patientId=${patientId}`);
      const row = body.items.find((r: { route: string }) => r.route === '/patients/:id/erase');
      expect(row).toBeDefined();
      return row;
    }, 30_000);
    expect(audit).toMatchObject({
      principal: `key:${adminKeyId}`,
      reason: REASON,
      method: 'POST',
      patientIds: [patientId],
    });
    expect([...audit.documentIds].sort()).toEqual(documentIds);
  });

  it('answers a second erasure 409, and 404 for what the tenant does not have', async () => {
    const again = await admin.post(`/patients/${patientId}/erase`, { reason: REASON });
    expect(again).toMatchObject({ status: 409, body: { code: 'PATIENT_ALREADY_ERASED' } });
    const document = await admin.post(`/documents/${documentIds[0]}/erase`, { reason: REASON });
    expect(document).toMatchObject({ status: 409, body: { code: 'DOCUMENT_ALREADY_ERASED' } });

    const other = await elsewhere.post(`/patients/${patientId}/erase`, { reason: REASON });
    expect(other).toMatchObject({ status: 404, body: { code: 'PATIENT_NOT_FOUND' } });
    const unknown = await admin.post('/documents/00000000-0000-4000-8000-000000000000/erase', {
      reason: REASON,
    });
    expect(unknown).toMatchObject({ status: 404, body: { code: 'DOCUMENT_NOT_FOUND' } });
  });

  it('leaves nothing of the patient in any topic, dead letters included', async () => {
    const topics = await topicsOfPrefix(kafka, env.config.topics.prefix);
    expect(topics.some((t) => t.includes('.dlq.'))).toBe(true);
    const counts = await grepTopics(kafka, topics, NEEDLES);
    console.log(
      `erasure grep over ${topics.length} topics: ${[...counts].map(([n, c]) => `${JSON.stringify(n)}=${c}`).join(' ')}`,
    );
    // Even a reader holding the keys: the sealed fields now decode blank.
    const decodedAfter = await decodedMentions();
    console.log(
      `erasure: mentions of the patient decoded with the keys: before ${decodedBefore}, after ${decodedAfter}`,
    );
    expect(decodedBefore).toBeGreaterThan(0);
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(0);
    expect(decodedAfter).toBe(0);
  });

  it('rebuilds every read model from the log into the erased state', async () => {
    const run = await runNpmScript('rebuild', ['all', '--require-equal'], {
      ...env.env,
      LOG_LEVEL: 'warn',
    });
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const { rows } = await owner.query(
      `SELECT (SELECT count(*)::int FROM documents WHERE document_id = ANY($1)) AS documents,
         (SELECT count(*)::int FROM document_pages WHERE document_id = ANY($1)) AS pages,
         (SELECT count(*)::int FROM document_entities WHERE document_id = ANY($1)) AS entities,
         (SELECT count(*)::int FROM patients WHERE patient_id = $2) AS patients,
         (SELECT count(*)::int FROM patient_timeline WHERE patient_id = $2) AS patient_timeline`,
      [documentIds, patientId],
    );
    expect(rows).toEqual([
      { documents: 0, pages: 0, entities: 0, patients: 0, patient_timeline: 0 },
    ]);
    await eventually(async () => {
      expect((await admin.get(`/patients/${patientId}?tenantId=${TENANT}`)).status).toBe(404);
    }, 30_000);
  }, 300_000);
});
