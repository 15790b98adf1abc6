import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../infra/logger.ts';
import { TERMINAL_STATUSES } from '../../projections/documents/projection.ts';
import { type System, startSystem } from '../../system/system.ts';
import { emailOf, zipOf } from '../fixtures/archives.ts';
import { textPdf } from '../fixtures/files.ts';
import { apiClient } from '../support/api-client.ts';
import { bearer, issueKey } from '../support/credentials.ts';
import { createTestEnvironment, eventually, type TestEnvironment } from '../support/environment.ts';

const TENANT = 'clinic-containers';

interface DocumentBody {
  id: string;
  status: string;
  fileName: string;
  mediaType: string;
  parentDocumentId: string | null;
  entryPath: string | null;
  children: { accepted: number; rejected: { entryPath: string; reason: string }[] } | null;
}

describe('zips and e-mails, opened into child documents', () => {
  let env: TestEnvironment;
  let system: System;
  let api: ReturnType<typeof apiClient>;
  let key: string;

  /** The container once opened, and its children once each is done with the chain. */
  const expanded = async (containerId: string, children: number) => {
    const container = await eventually(async () => {
      const { body } = await api.document(containerId);
      expect(body.status).toBe('expanded');
      return body as DocumentBody;
    }, 30_000);
    const done = await eventually(async () => {
      const { body } = await api.get(`/documents?tenantId=${TENANT}&limit=100`);
      const mine = (body.items as DocumentBody[]).filter((d) => d.parentDocumentId === containerId);
      expect(mine).toHaveLength(children);
      for (const child of mine) expect(TERMINAL_STATUSES).toContain(child.status);
      return mine;
    }, 60_000);
    return { container, children: done };
  };

  beforeAll(async () => {
    env = await createTestEnvironment({
      OCR_WORKERS: '1',
      ARCHIVE_MAX_DEPTH: '0',
      BATCH_COMPLETION_INTERVAL_MS: '100',
    });
    system = await startSystem(env.config, createLogger('warn'));
    ({ key } = await issueKey(env.config.database.url, TENANT));
    api = apiClient(system.url as string, TENANT, key);
  });
  afterAll(async () => {
    await system?.stop();
    await env?.cleanup();
  });

  it('takes two documents out of a zip, refuses the unsafe entry, and runs the chain on each', async () => {
    const zip = await zipOf([
      {
        name: 'laboratorio/glucosa.pdf',
        data: await textPdf(['RESULTADOS DE LABORATORIO', 'Glucosa 126 mg/dL (70 - 100) ALTO']),
      },
      {
        name: 'notas/consulta.txt',
        data: 'NOTA DE CONSULTA\nPaciente refiere cefalea de tres días.\n',
      },
      { name: '../../etc/passwd', data: 'root:x:0:0' },
    ]);
    const { documentId } = await api.upload(zip, 'envio.zip');
    const { container, children } = await expanded(documentId, 2);
    expect(container).toMatchObject({
      mediaType: 'application/zip',
      children: {
        accepted: 2,
        rejected: [
          expect.objectContaining({
            entryPath: '../../etc/passwd',
            reason: 'ARCHIVE_ENTRY_PATH_UNSAFE',
          }),
        ],
      },
    });
    const byPath = Object.fromEntries(children.map((c) => [c.entryPath, c]));
    expect(byPath['laboratorio/glucosa.pdf']).toMatchObject({
      status: 'classified',
      fileName: 'glucosa.pdf',
      mediaType: 'application/pdf',
      children: null,
    });
    expect(byPath['notas/consulta.txt']).toMatchObject({
      status: 'classified',
      mediaType: 'text/plain',
    });
    const { body: text } = await api.text(byPath['laboratorio/glucosa.pdf']?.id ?? '');
    expect(text.pages[0].text).toContain('Glucosa 126');
  });

  it('makes an e-mail its body and its PDF attachment, and refuses what is no document', async () => {
    const eml = emailOf({
      subject: 'Resultados de laboratorio',
      text: 'Buenos días, adjunto el informe de alta de la paciente.',
      attachments: [
        {
          fileName: 'alta.pdf',
          contentType: 'application/pdf',
          data: await textPdf([
            'INFORME DE ALTA',
            'Diagnóstico: neumonía adquirida en la comunidad',
          ]),
        },
        {
          fileName: 'logo.bin',
          contentType: 'application/octet-stream',
          data: Buffer.from([0, 1, 2, 3, 255]),
        },
      ],
    });
    const { documentId } = await api.upload(eml, 'resultados.eml');
    const { container, children } = await expanded(documentId, 2);
    expect(container).toMatchObject({
      mediaType: 'message/rfc822',
      children: {
        accepted: 2,
        rejected: [
          expect.objectContaining({ entryPath: 'logo.bin', reason: 'UNSUPPORTED_MEDIA_TYPE' }),
        ],
      },
    });
    expect(children.map((c) => [c.entryPath, c.mediaType, c.status]).sort()).toEqual([
      ['alta.pdf', 'application/pdf', 'classified'],
      ['body.txt', 'text/plain', 'classified'],
    ]);
  });

  it('counts a zip added to a batch by its children, and completes once they are done', async () => {
    const post = async (path: string, body: object | FormData) => {
      const response = await fetch(`${system.url}${path}`, {
        method: 'POST',
        headers:
          body instanceof FormData
            ? bearer(key)
            : { ...bearer(key), 'content-type': 'application/json' },
        body: body instanceof FormData ? body : JSON.stringify(body),
      });
      return { status: response.status, body: await response.json() };
    };
    const opened = await post('/batches', { tenantId: TENANT, name: 'envíos por correo' });
    const batchId = opened.body.batchId as string;
    const form = new FormData();
    const zip = await zipOf([
      { name: 'a.txt', data: 'NOTA DE EVOLUCIÓN\nSin cambios.\n' },
      { name: 'b.txt', data: 'NOTA DE ENFERMERÍA\nSignos vitales estables.\n' },
      { name: 'nested/inner.zip', data: await zipOf([{ name: 'c.txt', data: 'demasiado hondo' }]) },
    ]);
    form.append('file', new Blob([new Uint8Array(zip)]), 'lote.zip');
    form.append(
      'file',
      new Blob([new Uint8Array(await textPdf(['NOTA DE CONSULTA']))]),
      'nota.pdf',
    );
    const added = await post(`/batches/${batchId}/files?tenantId=${TENANT}`, form);
    expect(added.status).toBeLessThan(300);
    const closed = await post(`/batches/${batchId}/close`, { tenantId: TENANT });
    expect(closed.status).toBeLessThan(300);

    const batch = await eventually(async () => {
      const { body } = await api.get(`/batches/${batchId}?tenantId=${TENANT}`);
      expect(body.status).toBe('completed');
      return body;
    }, 90_000);
    const zipId = (added.body.files as { fileName: string; documentId: string }[]).find(
      (f) => f.fileName === 'lote.zip',
    )?.documentId;
    // The nested zip is one level deeper than this system allows: refused, not opened.
    const { body: container } = await api.document(zipId ?? '');
    expect(container.children).toMatchObject({
      accepted: 2,
      rejected: [{ entryPath: 'nested/inner.zip', reason: 'ARCHIVE_LIMIT_EXCEEDED' }],
    });
    // The zip's two children stand in for it: three documents, all done.
    expect(batch.fileCount).toBe(2);
    expect(batch.counts).toMatchObject({ files: 3, processed: 3, pending: 0 });
    const children = (batch.files as { parentDocumentId: string | null; fileName: string }[])
      .filter((f) => f.parentDocumentId === zipId)
      .map((f) => f.fileName)
      .sort();
    expect(children).toEqual(['a.txt', 'b.txt']);
  });
});
