import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../infra/logger.ts';
import { TERMINAL_STATUSES } from '../../projections/documents/projection.ts';
import { type System, startSystem } from '../../system/system.ts';
import { textPdf } from '../fixtures/files.ts';
import { tiffOf } from '../fixtures/images.ts';
import { deeplyNestedPdf } from '../fixtures/pdfs.ts';
import { rasterise } from '../fixtures/scan-effects.ts';
import { faxTiff, firstDirectoryOffset, loopingTiff } from '../fixtures/tiffs.ts';
import { docx, word97Doc } from '../fixtures/words.ts';
import { apiClient } from '../support/api-client.ts';
import { issueKey } from '../support/credentials.ts';
import { createTestEnvironment, eventually, type TestEnvironment } from '../support/environment.ts';

const LAB_LINES = [
  'RESULTADOS DE LABORATORIO',
  'Paciente: María Guadalupe García Hernández   Expediente: 88123',
  'Glucosa 126 mg/dL (70 - 100) ALTO',
  'Hemoglobina glucosada 7.1 % (4.0 - 5.6) ALTO',
  'Creatinina sérica 0.9 mg/dL (0.6 - 1.2)',
  'Química sanguínea de control, valores de referencia para adultos.',
];

describe('intake by content: scanner and fax TIFFs, Word documents', () => {
  let env: TestEnvironment;
  let system: System;
  let api: ReturnType<typeof apiClient>;
  let key: string;

  const terminal = (id: string) =>
    eventually(async () => {
      const { body } = await api.document(id);
      expect(TERMINAL_STATUSES).toContain(body.status);
      return body;
    }, 90_000);

  beforeAll(async () => {
    env = await createTestEnvironment({ OCR_WORKERS: '2' });
    system = await startSystem(env.config, createLogger('warn'));
    ({ key } = await issueKey(env.config.database.url, 'clinic-intake'));
    api = apiClient(system.url as string, 'clinic-intake', key);
  });
  afterAll(async () => {
    await system?.stop();
    await env?.cleanup();
  });

  it('reads a late-directory TIFF, a fax and a .docx through to classified', async () => {
    const pdf = await textPdf(LAB_LINES);
    const scanner = await tiffOf(await rasterise(pdf, 200));
    expect(firstDirectoryOffset(scanner)).toBeGreaterThan(4100);
    const uploads = [
      [scanner, 'escaner.tif', 'ocr'],
      [await faxTiff(await rasterise(pdf, 204)), 'fax.tif', 'ocr'],
      [await docx(LAB_LINES), 'resultados.docx', 'text-layer'],
    ] as const;
    const accepted = await Promise.all(
      uploads.map(([bytes, fileName]) => api.upload(bytes, fileName)),
    );
    for (const [index, { documentId }] of accepted.entries()) {
      const method = uploads[index]![2];
      expect(await terminal(documentId)).toMatchObject({
        status: 'classified',
        text: { method },
        classification: { documentType: 'lab-result' },
      });
      const { body: text } = await api.text(documentId);
      expect(text.pages[0].text).toMatch(/Hemoglobina glucosada/);
    }
  });

  it('rejects a TIFF whose pages loop and a PDF nested too deep, each with its reason', async () => {
    const cases = [
      [await loopingTiff(), 'loop.tif', 'TIFF_PAGE_LOOP'],
      [deeplyNestedPdf(100_000), 'deep.pdf', 'PDF_TOO_DEEP'],
    ] as const;
    for (const [bytes, fileName, reason] of cases) {
      const { documentId } = await api.upload(bytes, fileName);
      const document = await terminal(documentId);
      expect(document).toMatchObject({ status: 'rejected', statusReason: reason });
      expect(JSON.stringify(document)).not.toMatch(/call stack/i);
    }
  });

  it('refuses a Word 97 .doc at upload with its own code', async () => {
    const form = new FormData();
    form.append('tenantId', 'clinic-intake');
    form.append('file', new Blob([new Uint8Array(word97Doc())]), 'informe.doc');
    const response = await fetch(`${system.url}/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
      body: form,
    });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({
      code: 'WORD_97_UNSUPPORTED',
      message: expect.stringMatching(/\.docx/),
    });
  });
});
