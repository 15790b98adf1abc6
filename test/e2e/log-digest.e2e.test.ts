import { execFile } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRecordLine, recordLine, recordsFile } from '../../infra/log-digest/export-format.ts';
import { keyIdOf } from '../../infra/log-digest/signing.ts';
import { loadSigningKey } from '../../infra/log-digest/signing-key.ts';
import { createLogger } from '../../infra/logger.ts';
import { connectToLog, type LogConnection } from '../../system/log-digest/connect.ts';
import { verifyLive } from '../../system/log-digest/verify.ts';
import { type System, startSystem } from '../../system/system.ts';
import { textPdf } from '../fixtures/files.ts';
import { apiClient } from '../support/api-client.ts';
import { issueKey } from '../support/credentials.ts';
import { createTestEnvironment, eventually, type TestEnvironment } from '../support/environment.ts';

const run = promisify(execFile);
const TENANT = 'clinic-ledger';

/** `npm run verify-log -- <args>` with the test's environment: its exit code and output. */
const verifyLog = (env: Record<string, string>, args: string[]) =>
  run('npm', ['run', '--silent', 'verify-log', '--', ...args], {
    env: { ...process.env, ...env },
  }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  );

describe('the log an auditor verifies, written by the pipeline', () => {
  let env: TestEnvironment;
  let system: System;
  let log: LogConnection;
  let api: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    env = await createTestEnvironment({
      PROCESSORS: 'validate,extract-text,classify',
      OCR_WORKERS: '1',
      LOG_DIGEST_EVERY_RECORDS: '5',
      LOG_DIGEST_INTERVAL_MS: '300',
    });
    system = await startSystem(env.config, createLogger('warn'));
    api = apiClient(
      system.url as string,
      TENANT,
      (await issueKey(env.config.database.url, TENANT)).key,
    );
    log = await connectToLog(env.config);
  });

  afterAll(async () => {
    await log?.close();
    await system?.stop();
    await env?.cleanup();
  });

  it('publishes the public half of the signing key it made for the local stack', async () => {
    const keyFile = env.config.logDigest.signingKey.file;
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const key = await loadSigningKey(env.config.logDigest.signingKey);
    const response = await fetch(`${system.url}/log/public-key`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { keyId: string; publicKeyPem: string };
    expect(body.keyId).toBe(keyIdOf(key));
    expect(body.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
  });

  it('covers every record of the documents, exports them, and names a flipped byte', async () => {
    const ids = [];
    for (const n of [1, 2, 3]) {
      const pdf = await textPdf([`LABORATORIO CLINICO ${n}`, 'Glucosa 98 mg/dL']);
      ids.push((await api.upload(pdf, `lab-${n}.pdf`)).documentId);
    }
    for (const id of ids) {
      await eventually(
        async () => expect((await api.document(id)).body.status).toBe('classified'),
        120_000,
      );
    }
    // Uploaded, validated, text extracted and classified, and the reads' audit records: all signed.
    await eventually(async () => {
      const reports = await verifyLive(
        log,
        env.config.topics.prefix,
        await loadSigningKey(env.config.logDigest.signingKey),
      );
      for (const r of reports) expect(r.failure).toBeNull();
      const document = reports.filter((r) => r.topic.endsWith('.document.events'));
      expect(document.reduce((n, r) => n + (r.verified?.records ?? 0), 0)).toBeGreaterThanOrEqual(
        12,
      );
      expect(document.every((r) => r.uncovered === null)).toBe(true);
      // The reads' audit records reach the log in batches, after the documents' events.
      expect(reports.some((r) => r.topic.endsWith('.audit.events') && r.verified)).toBe(true);
    }, 60_000);

    const dir = path.join(env.config.dataDir, 'export');
    await run('npm', ['run', '--silent', 'export-log', '--', dir], {
      env: { ...process.env, ...env.env },
    });
    const ok = await verifyLog(env.env, [dir]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^ok {3}\S+\.document\.events \[\d\]: offsets \d+-\d+ verified/m);

    const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as {
      partitions: { topic: string; partition: number; records: number }[];
    };
    const target = manifest.partitions.find(
      (p) => p.topic.endsWith('.document.events') && p.records >= 3,
    );
    if (!target) throw new Error('no document partition with three records');
    const file = path.join(dir, recordsFile(target.topic, target.partition));
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    const victim = parseRecordLine(lines[2] as string);
    const value = Buffer.from(victim.value as Buffer);
    value[10] = (value[10] as number) ^ 0x80;
    lines[2] = recordLine({ ...victim, value });
    await writeFile(file, `${lines.join('\n')}\n`);

    const tampered = await verifyLog(env.env, [dir]);
    console.log(`verify-log of the tampered copy:\n${tampered.stdout}`);
    expect(tampered.code).toBe(1);
    const failures = tampered.stdout.split('\n').filter((l) => l.startsWith('FAILED'));
    expect(failures).toEqual([
      expect.stringContaining(
        `FAILED topic ${target.topic} partition ${target.partition} offset ${victim.offset}:`,
      ),
    ]);
  });
});
