import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../infra/logger.ts';
import { processorVersion } from '../../processors/versions.ts';
import { TERMINAL_STATUSES } from '../../projections/documents/projection.ts';
import { type System, startSystem } from '../../system/system.ts';
import { textPdf } from '../fixtures/files.ts';
import { pngClaiming } from '../fixtures/images.ts';
import { encryptedPdf, truncatedPdf } from '../fixtures/pdfs.ts';
import { renderVariant, SAMPLE_DOCUMENTS } from '../fixtures/scans.ts';
import { apiClient, chainStepsOf } from '../support/api-client.ts';
import { issueKey } from '../support/credentials.ts';
import { createTestEnvironment, eventually, type TestEnvironment } from '../support/environment.ts';

const LAB_LINES = [
  'RESULTADOS DE LABORATORIO',
  'Paciente: María Guadalupe García Hernández   Expediente: 88123',
  'Fecha de toma de muestra: 03/02/2026',
  'Glucosa 126 mg/dL (70 - 100) ALTO',
  'Hemoglobina glucosada 7.1 % (4.0 - 5.6) ALTO',
  'Creatinina sérica 0.9 mg/dL (0.6 - 1.2)',
  'Química sanguínea de control, valores de referencia para adultos.',
];

describe('the processing chain, through the API', () => {
  let env: TestEnvironment;
  let system: System;
  let api: ReturnType<typeof apiClient>;
  let keyId: string;

  const terminal = (id: string, timeoutMs = 60_000) =>
    eventually(async () => {
      const { body } = await api.document(id);
      expect(TERMINAL_STATUSES).toContain(body.status);
      return body;
    }, timeoutMs);

  beforeAll(async () => {
    env = await createTestEnvironment({ OCR_WORKERS: '2' });
    system = await startSystem(env.config, createLogger('warn'));
    const { id, key } = await issueKey(env.config.database.url, 'clinic-chain');
    keyId = id;
    api = apiClient(system.url as string, 'clinic-chain', key);
  });
  afterAll(async () => {
    await system?.stop();
    await env?.cleanup();
  });

  it('reads a text-layer PDF without OCR, classifies it with the export name as a hint', async () => {
    const fileName = '88123_GARCIA HERNANDEZ, MARIA GUADALUPE_4_LAB.pdf';
    const { documentId } = await api.upload(await textPdf(LAB_LINES), fileName);
    const document = await terminal(documentId);
    expect(document).toMatchObject({
      status: 'classified',
      round: 1,
      pageCount: 1,
      exportName: { recordNumber: '88123', typeCode: 'LAB' },
      text: { method: 'text-layer', language: 'spa', confidence: 1 },
      classification: { documentType: 'lab-result' },
    });
    const sources = document.classification.evidence.map((e: { source: string }) => e.source);
    expect(sources).toContain('file-name');

    const { body: text } = await api.text(documentId);
    expect(text.pages).toHaveLength(1);
    expect(text.pages[0]).toMatchObject({ page: 1, method: 'text-layer', round: 1 });
    expect(text.pages[0].text).toContain('Hemoglobina glucosada');

    // The history is the timeline's read model, which folds the log on its own: waited for too.
    const chain = await eventually(async () => {
      const { body: history } = await api.history(documentId);
      const found = chainStepsOf<{
        type: string;
        actor: string;
        eventId: string;
        causationId: string;
      }>(history.events);
      const steps = found.map((e) => `${e.type} ${e.actor}`);
      expect(steps).toEqual([
        `DocumentUploaded key:${keyId}`,
        `DocumentValidated validate@${processorVersion('validate')}`,
        `TextExtracted extract-text@${processorVersion('extract-text')}`,
        `DocumentClassified classify@${processorVersion('classify')}`,
      ]);
      return found;
    });
    for (const [i, event] of chain.entries()) {
      if (i > 0) expect(event.causationId).toBe(chain[i - 1]?.eventId);
    }
  });

  it('finds documents by full-text search, accents folded, with highlighted snippets', async () => {
    const { documentId } = await api.upload(
      await textPdf([...LAB_LINES, 'Nota: paciente diabética en tratamiento.']),
      'lab-2.pdf',
    );
    await terminal(documentId);
    const { status, body } = await api.search('hemoglobina glucosada diabetica');
    expect(status).toBe(200);
    expect(body.items[0]).toMatchObject({ documentId, pages: [1], status: 'classified' });
    expect(body.items[0].snippet).toMatch(/<mark>[Hh]emoglobina<\/mark>/);
    expect((await api.search('zzzunknownword')).body.items).toEqual([]);
    expect((await api.search('')).status).toBe(400);
  });

  it('reads a scanned page with OCR', async () => {
    const sample = SAMPLE_DOCUMENTS.find((d) => d.language === 'eng') ?? SAMPLE_DOCUMENTS[0]!;
    const scan = await renderVariant(sample, 'png', 7);
    const { documentId } = await api.upload(scan.bytes, scan.fileName);
    const document = await terminal(documentId, 120_000);
    expect(document).toMatchObject({
      status: 'classified',
      text: { method: 'ocr', language: sample.language },
      classification: { documentType: sample.documentType },
    });
    expect(document.text.confidence).toBeGreaterThan(0.6);
  });

  it('rejects what cannot be read, with a reason a client can act on', async () => {
    const cases: Array<[Buffer, string, string]> = [
      [await truncatedPdf(), 'cut.pdf', 'PDF_UNREADABLE'],
      [encryptedPdf('secret'), 'locked.pdf', 'PDF_ENCRYPTED'],
      [pngClaiming(100_000, 100_000), 'bomb.png', 'IMAGE_TOO_LARGE'],
    ];
    for (const [bytes, fileName, reason] of cases) {
      const { documentId } = await api.upload(bytes, fileName);
      expect(await terminal(documentId)).toMatchObject({
        status: 'rejected',
        statusReason: reason,
      });
    }
  });

  it('reprocesses a document as a new round, visible in its history', async () => {
    const { documentId } = await api.upload(
      await textPdf([
        'RECETA MÉDICA',
        ...LAB_LINES.slice(1, 3),
        'Metformina 850 mg vía oral cada 12 horas',
      ]),
      'receta.pdf',
    );
    await terminal(documentId);
    const accepted = await api.reprocess(documentId, 'classifier update');
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ documentId, round: 2 });
    const second = await api.reprocess(documentId);
    expect(second.body.round).toBe(3);

    const document = await eventually(async () => {
      const { body } = await api.document(documentId);
      expect(body).toMatchObject({ round: 3, status: 'classified' });
      return body;
    }, 60_000);
    expect(document.classification.documentType).toBe('prescription');
    // The history is the timeline's read model, which folds the log on its own: waited for too.
    await eventually(async () => {
      const { body: history } = await api.history(documentId);
      const rounds = chainStepsOf<{ type: string; round: number }>(history.events).map(
        (e) => `${e.round}:${e.type}`,
      );
      expect(rounds.filter((r: string) => r.startsWith('3:'))).toEqual([
        '3:DocumentReprocessRequested',
        '3:DocumentValidated',
        '3:TextExtracted',
        '3:DocumentClassified',
      ]);
      expect(rounds.filter((r: string) => r.startsWith('1:'))).toHaveLength(4);
    });

    const missing = await api.reprocess('00000000-0000-4000-8000-000000000000');
    expect(missing).toMatchObject({ status: 404, body: { code: 'DOCUMENT_NOT_FOUND' } });
  });

  it('counts what its processors did in /metrics', async () => {
    const metrics = await (await fetch(`${system.url}/metrics`)).text();
    expect(metrics).toMatch(
      /docstream_processor_messages_total\{processor="classify",outcome="emitted"\} [1-9]/,
    );
    expect(metrics).toMatch(/docstream_ocr_page_duration_seconds_count [1-9]/);
  });

  it('reports the circuit breakers of its processors in /health', async () => {
    const { status, body } = await api.get('/health');
    expect(status).toBe(200);
    expect(body.breakers).toMatchObject({
      ocr: 'closed',
      'blob-store': 'closed',
      registry: 'closed',
    });
  });
});
