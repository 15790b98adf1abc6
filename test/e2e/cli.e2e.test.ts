import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../infra/logger.ts';
import { type System, startSystem } from '../../system/system.ts';
import { generateCorpus } from '../fixtures/corpus.ts';
import { textPdf } from '../fixtures/files.ts';
import { runCli } from '../support/cli.ts';
import { bearer, issueKey } from '../support/credentials.ts';
import { createTestEnvironment, type TestEnvironment } from '../support/environment.ts';

const corpus = generateCorpus({ perTypeAndLanguage: 1 });
const text = (doc: (typeof corpus)[number]) => `${doc.lines.join('\n')}\n`;

interface BatchBody {
  status: string;
  fileCount: number | null;
  files: Array<{ documentId: string; fileName: string; matchStatus: string | null }>;
}

describe('the docstream command line, against a running system', () => {
  let env: TestEnvironment;
  let system: System;
  let dir: string;

  const keyFor = async (tenant: string) =>
    (await issueKey(env.config.database.url, tenant, ['uploader', 'reader', 'reviewer', 'auditor']))
      .key;
  const cliEnv = (key: string) => ({
    DOCSTREAM_URL: system.url as string,
    DOCSTREAM_API_KEY: key,
    // No config file of this machine's user is read.
    XDG_CONFIG_HOME: dir,
  });
  const get = async <T>(key: string, path: string): Promise<T> =>
    (await fetch(`${system.url}${path}`, { headers: bearer(key) })).json() as Promise<T>;
  const batchIdOf = (stderr: string) => /batch ([0-9a-f-]{36}) opened/.exec(stderr)?.[1] as string;

  beforeAll(async () => {
    env = await createTestEnvironment({
      OCR_WORKERS: '1',
      BATCH_PROGRESS_POLL_MS: '100',
      BATCH_COMPLETION_INTERVAL_MS: '100',
    });
    system = await startSystem(env.config, createLogger('warn'));
    dir = await mkdtemp(path.join(tmpdir(), 'docstream-cli-'));
  });
  afterAll(async () => {
    await system?.stop();
    await env?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('uploads a folder, lists the files it could not upload with their codes, and waits for the batch', async () => {
    const folder = path.join(dir, 'mixed');
    await mkdir(path.join(folder, 'sub'), { recursive: true });
    const [lab, note, letter] = corpus;
    await writeFile(path.join(folder, 'lab.pdf'), await textPdf(lab!.lines));
    await writeFile(path.join(folder, 'sub', 'note.txt'), text(note!));
    await writeFile(path.join(folder, 'letter.pdf'), await textPdf(letter!.lines));
    await writeFile(path.join(folder, 'program.exe'), Buffer.from('MZ\x90\x00\x03\x00\x00\x00'));
    await symlink(path.join(dir, 'nowhere.pdf'), path.join(folder, 'gone.pdf'));
    // Tests run as root, which reads a chmod 000 file anyway: a FIFO is what cannot be read.
    execFileSync('mkfifo', [path.join(folder, 'pipe.pdf')]);
    const key = await keyFor('clinic-cli');

    const run = runCli(['upload', folder, '--timeout', '110'], cliEnv(key));
    expect(await run.exited, run.stderr()).toBe(1);

    const rowOf = (file: string) =>
      run
        .stdout()
        .split('\n')
        .find((line) => line.includes(` ${file} `)) ?? '';
    expect(rowOf('program.exe')).toMatch(/not uploaded .*UNSUPPORTED_MEDIA_TYPE/);
    expect(rowOf('gone.pdf')).toMatch(/not uploaded .*READ_FAILED/);
    expect(rowOf('pipe.pdf')).toMatch(/not uploaded .*READ_FAILED/);
    const batch = await get<BatchBody>(key, `/batches/${batchIdOf(run.stderr())}`);
    expect(batch).toMatchObject({ status: 'completed', fileCount: 3 });
    for (const [file, fileName] of [
      ['lab.pdf', 'lab.pdf'],
      [path.join('sub', 'note.txt'), 'note.txt'],
      ['letter.pdf', 'letter.pdf'],
    ] as const) {
      const added = batch.files.find((f) => f.fileName === fileName);
      expect(added?.matchStatus).toMatch(/^(matched|registered|review)$/);
      expect(rowOf(file)).toContain(added?.documentId);
      expect(rowOf(file)).toContain(added?.matchStatus);
    }
    expect(run.stdout()).toContain('6 file(s), 3 ok, 3 failed');
    // Not a terminal: progress comes as plain lines.
    expect(run.stdout()).toMatch(/progress: uploaded 3\/6, processed 3, .*failed 3/);

    const labId = batch.files.find((f) => f.fileName === 'lab.pdf')?.documentId as string;
    const status = runCli(['status', labId], cliEnv(key));
    expect(await status.exited, status.stderr()).toBe(0);
    expect(status.stdout()).toMatch(/status +classified/);
    expect(status.stdout()).toMatch(/DocumentUploaded[\s\S]*DocumentClassified/);
    const reviews = runCli(['reviews'], cliEnv(key));
    expect(await reviews.exited, reviews.stderr()).toBe(0);
    expect(reviews.stdout()).toContain('0 open review(s)');
    // An admin tool runs locally, against the database the environment names.
    const keys = runCli(['keys', 'list', '--tenant', 'clinic-cli'], env.env);
    expect(await keys.exited, keys.stderr()).toBe(0);
    expect(keys.stdout()).toMatch(/\tclinic-cli\tuploader,reader,reviewer,auditor\t/);
  }, 120_000);

  it('continues an interrupted upload from its resume file, sending no file twice', async () => {
    const folder = path.join(dir, 'resumed');
    await mkdir(folder);
    const docs = corpus.slice(3, 9);
    for (const [i, doc] of docs.entries()) {
      await writeFile(path.join(folder, `doc-${i}.txt`), text(doc));
    }
    const state = path.join(dir, 'resume.json');
    const key = await keyFor('clinic-cli-resume');
    const args = ['upload', folder, '--state', state, '--timeout', '110'];

    const first = runCli([...args, '--concurrency', '1'], cliEnv(key));
    await first.printed(/uploaded 1\/6/);
    first.child.kill('SIGKILL');
    await first.exited;
    const { batchId, files } = JSON.parse(await readFile(state, 'utf8'));
    expect(batchId).toBe(batchIdOf(first.stderr()));
    const acceptedFirst = Object.values(files).filter(
      (f) => (f as { documentId?: string }).documentId,
    );
    expect(acceptedFirst.length).toBeGreaterThanOrEqual(1);
    expect(acceptedFirst.length).toBeLessThan(6);

    const second = runCli(args, cliEnv(key));
    expect(await second.exited, second.stderr()).toBe(0);
    expect(second.stderr()).toContain(`continuing batch ${batchId}`);
    const batch = await get<BatchBody>(key, `/batches/${batchId}`);
    expect(batch).toMatchObject({ status: 'completed', fileCount: 6 });
    expect(batch.files.map((f) => f.fileName).sort()).toEqual(docs.map((_, i) => `doc-${i}.txt`));
    // A file sent twice would be a second document recorded as a duplicate of the first.
    const { items } = await get<{ items: Array<{ duplicateOf: string | null }> }>(
      key,
      '/documents?limit=100',
    );
    expect(items).toHaveLength(6);
    expect(items.filter((d) => d.duplicateOf !== null)).toEqual([]);
    expect(second.stdout()).toContain('6 file(s), 6 ok, 0 failed');
  }, 120_000);
});
