import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../infra/logger.ts';
import { type System, startSystem } from '../../system/system.ts';
import { generateCorpus } from '../fixtures/corpus.ts';
import { textPdf } from '../fixtures/files.ts';
import { apiClient } from '../support/api-client.ts';
import { bearer, issueKey } from '../support/credentials.ts';
import { createTestEnvironment, eventually, type TestEnvironment } from '../support/environment.ts';

const TENANT = 'clinic-patients';
const [labs, ...others] = generateCorpus({ perTypeAndLanguage: 1 }).filter(
  (d) => d.language === 'spa',
);
const lab = labs!;

/** The same lab report as printed for another visit, in another way. */
function laterVisit(lines: readonly string[], edit: (line: string) => string | null): string[] {
  return lines.flatMap((line) => {
    const edited = edit(line);
    return edited === null ? [] : [edited];
  });
}

describe('documents matched to patients, end to end through every processor', () => {
  let env: TestEnvironment;
  let system: System;
  let api: ReturnType<typeof apiClient>;
  let key: string;

  const decided = (id: string) =>
    eventually(async () => {
      const { body } = await api.document(id);
      expect(body.patientMatch?.status).toBeDefined();
      return body;
    }, 90_000);

  beforeAll(async () => {
    env = await createTestEnvironment({ OCR_WORKERS: '1' });
    system = await startSystem(env.config, createLogger('warn'));
    ({ key } = await issueKey(env.config.database.url, TENANT));
    api = apiClient(system.url as string, TENANT, key);
  });
  afterAll(async () => {
    await system?.stop();
    await env?.cleanup();
  });

  it('registers a new patient, matches the same person later, and keeps a namesake apart', async () => {
    const { patient } = lab.truth;
    const first = await api.upload(await textPdf(lab.lines), 'resultados.pdf');
    const registered = await decided(first.documentId);
    expect(registered.patientMatch).toMatchObject({ status: 'registered', method: 'registered' });
    const patientId = registered.patientMatch.patientId as string;

    // A later visit: no record number or CURP, the name written surnames first, another date.
    const [day, month, year] = patient.dateOfBirth.split('-').reverse();
    const later = laterVisit(lab.lines, (line) => {
      if (line.startsWith('Exp.:')) return null;
      if (line.startsWith('Paciente:')) {
        return `Paciente: ${patient.surnames.toUpperCase()}, ${patient.givenNames.toUpperCase()}`;
      }
      if (line.startsWith('Fecha de toma de muestra'))
        return 'Fecha de toma de muestra: 14/01/2025';
      return line;
    });
    const second = await api.upload(await textPdf(later), 'control.pdf');
    expect((await decided(second.documentId)).patientMatch).toMatchObject({
      status: 'matched',
      method: 'probabilistic',
      patientId,
    });

    // Same name, born another year: another person, never merged into the first automatically.
    const namesake = laterVisit(later, (line) =>
      line.startsWith('Fecha de nacimiento')
        ? line.replace(`${day}/${month}/${year}`, `${day}/${month}/${Number(year) + 23}`)
        : line,
    );
    const third = await api.upload(await textPdf(namesake), 'otra.pdf');
    const apart = (await decided(third.documentId)).patientMatch;
    expect(apart.patientId).not.toBe(patientId);
    expect(['registered', 'review']).toContain(apart.status);

    const { body: record } = await api.get(`/patients/${patientId}?tenantId=${TENANT}`);
    expect(record.documents.map((d: { id: string }) => d.id).sort()).toEqual(
      [first.documentId, second.documentId].sort(),
    );
    const test = lab.truth.labs[0]!.test;
    const { body: series } = await api.get(
      `/patients/${patientId}/labs?tenantId=${TENANT}&test=${encodeURIComponent(test)}`,
    );
    expect(series.labs.map((v: { value: number }) => v.value)).toEqual([
      lab.truth.labs[0]!.value,
      lab.truth.labs[0]!.value,
    ]);
    expect(series.labs.map((v: { observedOn: string }) => v.observedOn)[1]).toBe('2025-01-14');
  });

  it('completes a batch once every file has been through the chain and matched', async () => {
    const opened = await api.post('/batches', { name: 'export' });
    expect(opened.status).toBe(201);
    const batchId = opened.body.batchId as string;
    const form = new FormData();
    for (const document of others.slice(0, 3)) {
      form.append('file', new Blob([new Uint8Array(await textPdf(document.lines))]), 'a.pdf');
    }
    form.append('file', new Blob([]), 'empty.pdf');
    const added = await fetch(`${system.url}/batches/${batchId}/files?tenantId=${TENANT}`, {
      method: 'POST',
      headers: bearer(key),
      body: form,
    });
    const { files } = await added.json();
    expect(files.map((f: { error?: { code: string } }) => f.error?.code ?? 'accepted')).toEqual([
      'accepted',
      'accepted',
      'accepted',
      'EMPTY_FILE',
    ]);
    const closed = await api.post(`/batches/${batchId}/close`, {});
    expect(closed).toMatchObject({ status: 202, body: { fileCount: 3 } });

    const batch = await eventually(async () => {
      const { body } = await api.get(`/batches/${batchId}?tenantId=${TENANT}`);
      expect(body.status).toBe('completed');
      return body;
    }, 120_000);
    expect(batch.counts).toMatchObject({ processed: 3, failed: 0 });
    expect(batch.counts.matched + batch.counts.created + batch.counts.inReview).toBe(3);
  });
});
