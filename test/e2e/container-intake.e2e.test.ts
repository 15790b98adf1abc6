import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../infra/logger.ts';
import { TERMINAL_STATUSES } from '../../projections/documents/projection.ts';
import { type System, startSystem } from '../../system/system.ts';
import { nestedBomb, nestedZips, zipOf } from '../fixtures/archives.ts';
import { textPdf } from '../fixtures/files.ts';
import { docxWith } from '../fixtures/words.ts';
import { apiClient } from '../support/api-client.ts';
import { runCli } from '../support/cli.ts';
import { bearer, issueKey } from '../support/credentials.ts';
import { createTestEnvironment, eventually, type TestEnvironment } from '../support/environment.ts';

const TENANT = 'clinic-children';
const MiB = 1024 * 1024;

interface DocumentBody {
  id: string;
  status: string;
  statusReason: string | null;
  round: number;
  fileName: string;
  duplicateOf: string | null;
  exportName: { recordNumber: string; typeCode: string } | null;
  parentDocumentId: string | null;
  entryPath: string | null;
  children: { accepted: number; rejected: { entryPath: string; reason: string }[] } | null;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    },
  );
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/** A text note of about `bytes` bytes, every line its own, so that no two notes share content. */
const longNote = (title: string, bytes: number) =>
  `${title}\n${Array.from({ length: Math.ceil(bytes / 40) }, (_, i) => `${title} línea ${i} sin cambios.`).join('\n')}\n`;

describe('children of zips and e-mails, taken like uploaded files', () => {
  let env: TestEnvironment;
  let system: System;
  let key: string;
  let api: ReturnType<typeof apiClient>;

  const staged = () => filesUnder(path.join(env.config.blobs.dir, '.staging'));
  const blobsOf = (tenant: string) => filesUnder(path.join(env.config.blobs.dir, tenant));
  const childrenOf = async (client: ReturnType<typeof apiClient>, containerId: string) => {
    const { body } = await client.get(`/documents?parentDocumentId=${containerId}&limit=200`);
    return body.items as DocumentBody[];
  };
  /** The container once opened, and its children once each is done with the chain. */
  const expanded = async (containerId: string, count: number, client = api) => {
    const container = await eventually(async () => {
      const { body } = await client.document(containerId);
      expect(body.status).toBe('expanded');
      return body as DocumentBody;
    }, 60_000);
    const children = await eventually(async () => {
      const mine = await childrenOf(client, containerId);
      expect(mine).toHaveLength(count);
      for (const child of mine) expect(TERMINAL_STATUSES).toContain(child.status);
      return mine;
    }, 90_000);
    return { container, children };
  };

  beforeAll(async () => {
    env = await createTestEnvironment({
      OCR_WORKERS: '1',
      ARCHIVE_MAX_EXPANDED_BYTES: String(32 * MiB),
      ARCHIVE_MAX_DEPTH: '2',
    });
    system = await startSystem(env.config, createLogger('warn'));
    ({ key } = await issueKey(env.config.database.url, TENANT));
    api = apiClient(system.url as string, TENANT, key);
  });
  afterAll(async () => {
    await system?.stop();
    await env?.cleanup();
  });

  let containerId = '';
  let exportChild: DocumentBody | undefined;

  it('marks a child that repeats a stored document as its duplicate, and names it by its entry', async () => {
    const note = 'NOTA DE CONSULTA\nPaciente refiere cefalea de tres días.\n';
    const first = await api.upload(Buffer.from(note), 'consulta.txt');
    const lab = await textPdf(['RESULTADOS DE LABORATORIO', 'Glucosa 126 mg/dL (70 - 100) ALTO']);
    const zip = await zipOf([
      { name: 'copias/consulta-copia.txt', data: note },
      { name: 'exportes/88123_PEREZ GOMEZ, ANA_7_LAB.pdf', data: lab },
      { name: '../fuera.txt', data: 'x' },
    ]);
    ({ documentId: containerId } = await api.upload(zip, 'envio.zip'));
    const { children } = await expanded(containerId, 2);
    const byEntry = Object.fromEntries(children.map((c) => [c.entryPath, c]));
    expect(byEntry['copias/consulta-copia.txt']).toMatchObject({
      fileName: 'consulta-copia.txt',
      duplicateOf: first.documentId,
    });
    exportChild = byEntry['exportes/88123_PEREZ GOMEZ, ANA_7_LAB.pdf'];
    expect(exportChild).toMatchObject({
      fileName: '88123_PEREZ GOMEZ, ANA_7_LAB.pdf',
      duplicateOf: null,
      exportName: { recordNumber: '88123', typeCode: 'LAB' },
      status: 'classified',
    });
    // The child is now the tenant's first document with those bytes: an upload of them repeats it.
    const again = await api.upload(lab, 'laboratorio.pdf');
    const repeat = await eventually(async () => {
      const { body } = await api.document(again.documentId);
      expect(body.id).toBe(again.documentId);
      return body as DocumentBody;
    });
    expect(repeat.duplicateOf).toBe(exportChild?.id);
  });

  it('reprocesses a container by giving each child a new round, opening nothing again', async () => {
    const reprocess = await api.reprocess(containerId, 'new OCR model');
    expect(reprocess.status).toBe(202);
    const children = await eventually(async () => {
      const mine = await childrenOf(api, containerId);
      for (const child of mine) {
        expect(child.round).toBe(2);
        expect(TERMINAL_STATUSES).toContain(child.status);
      }
      return mine;
    }, 90_000);
    expect(children.map((c) => c.entryPath).sort()).toEqual([
      'copias/consulta-copia.txt',
      'exportes/88123_PEREZ GOMEZ, ANA_7_LAB.pdf',
    ]);
    expect(children.find((c) => c.id === exportChild?.id)?.status).toBe('classified');
    const { body: container } = await api.document(containerId);
    expect(container).toMatchObject({
      status: 'expanded',
      round: 2,
      children: { accepted: 2, rejected: [{ entryPath: '../fuera.txt' }] },
    });
    const { body: history } = await api.history(exportChild?.id ?? '');
    const types = (history.events as { type: string; round: number }[]).map((e) => e.type);
    expect(types.filter((t) => t === 'DocumentUploaded')).toHaveLength(1);
    expect(types).toContain('DocumentReprocessRequested');
  });

  it('shows a container its children and refused entries on the command line', async () => {
    const cliEnv = {
      DOCSTREAM_URL: system.url as string,
      DOCSTREAM_API_KEY: key,
      XDG_CONFIG_HOME: env.config.blobs.dir,
    };
    const run = runCli(['status', containerId], cliEnv);
    expect(await run.exited, run.stderr()).toBe(0);
    const out = run.stdout();
    expect(out).toMatch(/children +2 accepted, 1 refused/);
    expect(out).toMatch(/exportes\/88123_PEREZ GOMEZ, ANA_7_LAB\.pdf.*classified/);
    expect(out).toMatch(new RegExp(`${exportChild?.id}`));
    expect(out).toMatch(/\.\.\/fuera\.txt.*refused \(ARCHIVE_ENTRY_PATH_UNSAFE\)/);

    const child = runCli(['status', exportChild?.id ?? ''], cliEnv);
    expect(await child.exited, child.stderr()).toBe(0);
    expect(child.stdout()).toMatch(new RegExp(`parent +${containerId}`));
    expect(child.stdout()).toMatch(/entry +exportes\/88123_PEREZ GOMEZ, ANA_7_LAB\.pdf/);
  });

  it('uploads a folder holding a zip from the command line, its children each a row', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'docstream-cli-zip-'));
    try {
      await writeFile(
        path.join(folder, 'lote.zip'),
        await zipOf([
          { name: 'a.txt', data: 'NOTA DE EVOLUCIÓN\nSin cambios.\n' },
          { name: 'b.txt', data: 'NOTA DE ENFERMERÍA\nSignos vitales estables.\n' },
        ]),
      );
      const run = runCli(['upload', folder], {
        DOCSTREAM_URL: system.url as string,
        DOCSTREAM_API_KEY: key,
        XDG_CONFIG_HOME: folder,
      });
      expect(await run.exited, run.stderr()).toBe(0);
      const out = run.stdout();
      expect(out).toMatch(/lote\.zip +│? *[0-9a-f-]{36} *│? *expanded into 2/);
      expect(out).toMatch(/lote\.zip › a\.txt *│? *[0-9a-f-]{36} *│? *classified/);
      expect(out).toMatch(/lote\.zip › b\.txt *│? *[0-9a-f-]{36} *│? *classified/);
      expect(out).toMatch(/3 file\(s\), 3 ok, 0 failed/);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('refuses the children past the quota, leaving no blob and no row of them', async () => {
    const tenant = 'clinic-children-quota';
    const admin = await issueKey(env.config.database.url, tenant);
    const client = apiClient(system.url as string, tenant, admin.key);
    const notes = ['NOTA UNO', 'NOTA DOS', 'NOTA TRES'].map((t) => longNote(t, 300 * 1024));
    const zip = await zipOf(notes.map((data, i) => ({ name: `nota-${i + 1}.txt`, data })));
    // Room for the zip and one of its notes, whether or not usage has counted the zip yet.
    const maxStoredBytes = zip.length + (notes[0]?.length ?? 0) + 100 * 1024;
    const set = await fetch(`${system.url}/quotas`, {
      method: 'PUT',
      headers: { ...bearer(admin.key), 'content-type': 'application/json' },
      body: JSON.stringify({ maxStoredBytes }),
    });
    expect(set.status).toBe(200);
    const { documentId } = await client.upload(zip, 'notas.zip');
    const { container, children } = await expanded(documentId, 1, client);
    expect(children.map((c) => c.entryPath)).toEqual(['nota-1.txt']);
    expect(container.children).toEqual({
      accepted: 1,
      rejected: [
        expect.objectContaining({ entryPath: 'nota-2.txt', reason: 'QUOTA_EXCEEDED' }),
        expect.objectContaining({ entryPath: 'nota-3.txt', reason: 'QUOTA_EXCEEDED' }),
      ],
    });
    // The zip and its one child; the text read from the child is stored beside them.
    const stored = await blobsOf(tenant);
    expect(stored.length).toBeGreaterThanOrEqual(2);
    expect(stored.length).toBeLessThanOrEqual(3);
    const { body: all } = await client.get('/documents?limit=50');
    expect((all.items as DocumentBody[]).map((d) => d.fileName).sort()).toEqual([
      'nota-1.txt',
      'notas.zip',
    ]);
    expect(await staged()).toEqual([]);
  });

  it('refuses a Word bomb before parsing it', async () => {
    const bomb = await docxWith(['Informe'], { 'word/media/padding.bin': Buffer.alloc(64 * MiB) });
    expect(bomb.length).toBeLessThan(MiB);
    const { documentId } = await api.upload(bomb, 'informe.docx');
    const rejected = await eventually(async () => {
      const { body } = await api.document(documentId);
      expect(body.status).toBe('rejected');
      return body as DocumentBody;
    }, 60_000);
    expect(rejected.statusReason).toBe('DOCX_LIMIT_EXCEEDED');
  });

  it('refuses an archive bomb and a deeply nested zip entry by entry, leaving staging empty', async () => {
    const before = await blobsOf(TENANT);
    // 16 × 16 copies of 16 MiB of zeros: 4 GiB claimed by a few hundred kilobytes.
    const bomb = await nestedBomb({ leafBytes: 16 * MiB, copies: 16, layers: 3 });
    const deep = await nestedZips(12, { name: 'hondo.txt', data: 'demasiado hondo' });
    const bombId = (await api.upload(bomb, 'bomba.zip')).documentId;
    const deepId = (await api.upload(deep, 'hondo.zip')).documentId;
    for (const id of [bombId, deepId]) {
      const { container } = await expanded(id, 0);
      expect(container.children?.accepted).toBe(0);
      expect(container.children?.rejected.length).toBeGreaterThan(0);
      for (const entry of container.children?.rejected ?? []) {
        expect(entry.reason).toBe('ARCHIVE_LIMIT_EXCEEDED');
      }
    }
    expect(await staged()).toEqual([]);
    // The two uploads themselves, and nothing of what was inside them.
    expect((await blobsOf(TENANT)).length).toBe(before.length + 2);
  });
});
