import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import pLimit from 'p-limit';
import { createPool } from '../../infra/postgres.ts';
import { auditLog, type LogAudit } from './campaign-audit.ts';
import {
  type CampaignDocument,
  campaignDocuments,
  DEFAULT_MIX,
  DOCUMENT_KINDS,
  type DocumentKind,
  type DocumentMix,
} from './campaign-documents.ts';
import type { Cluster } from './cluster.ts';
import { issueKey } from './credentials.ts';
import type { TestEnvironment } from './environment.ts';
import { restartPostgres } from './postgres-restart.ts';
import { mainArgs } from './processes.ts';

export interface CampaignOptions {
  documents: number;
  /** Processor processes (`npm run processors`), each running every processor. */
  replicas: number;
  /** kill -9 of a random processor process, each restarted at once, spread over the uploads. */
  processorKills: number;
  /** When given, one of its nodes is killed a third of the way in, and restarted after brokerDownMs. */
  cluster?: Cluster;
  brokerDownMs?: number;
  /** Restarts the machine's PostgreSQL two thirds of the way in: every database on it blinks. */
  restartPostgres?: boolean;
  tenants?: number;
  concurrency?: number;
  mix?: DocumentMix;
  drainTimeoutMs?: number;
  log?: (line: string) => void;
  /** Where the processes' logs go (kept); by default the test environment's directory. */
  logsDir?: string;
  /** Ends the campaign early, its processes stopped (e.g. on Ctrl-C). */
  signal?: AbortSignal;
}

export interface CampaignReport extends LogAudit {
  pushed: number;
  accepted: number;
  acceptedByKind: Record<DocumentKind, number>;
  /** Uploads refused for good (4xx), and upload attempts tried again after a 5xx or no answer. */
  refused: number;
  /** The refusals by status and error code, e.g. `409 DUPLICATE_UPLOAD`. */
  refusedFor: Record<string, number>;
  uploadRetries: number;
  faults: string[];
  /** Seconds from the first upload to the last accepted, and from then until all were terminal. */
  uploadSeconds: number;
  drainSeconds: number;
  /** Accepted documents the read model showed terminal when the drain ended. */
  terminalInReadModel: number;
}

/**
 * The fault campaign: the API (with the read models) and `replicas` processor processes started
 * as `npm start` and `npm run processors` start them, documents of mixed kinds pushed through the
 * API while processor processes are killed -9 and restarted, one broker is killed and restarted
 * and PostgreSQL is restarted; then waits until every accepted document is terminal and audits
 * the log. `env` is a test environment on the cluster (its KAFKA_BROKERS and replication).
 */
export async function runCampaign(
  env: TestEnvironment,
  options: CampaignOptions,
): Promise<CampaignReport> {
  const {
    documents,
    replicas,
    processorKills,
    cluster,
    brokerDownMs = 20_000,
    tenants = 4,
    concurrency = 8,
    mix = DEFAULT_MIX,
    drainTimeoutMs = 30 * 60_000,
    log = () => {},
    signal,
  } = options;
  const logs = options.logsDir ?? path.join(env.config.dataDir, 'logs');
  mkdirSync(logs, { recursive: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const main = await mainArgs();
  const start = (name: string, args: string[], extra: Record<string, string>): ChildProcess => {
    const out = openSync(path.join(logs, `${name}.log`), 'a');
    return spawn(process.execPath, [...main, ...args], {
      env: { ...process.env, ...env.env, LOG_LEVEL: 'warn', ...extra },
      stdio: ['ignore', out, out],
    });
  };
  const api = start('api', [], { PORT: String(port), PROCESSORS: 'none' });
  const processors: ChildProcess[] = [];
  const startReplica = (i: number) => {
    processors[i] = start(`processors-${i}`, ['--processors-only'], {
      PROCESSOR_INSTANCE_ID: `campaign-${i}`,
    });
  };
  const pool = createPool(env.config.database.url, 2);
  try {
    await untilHealthy(url, api, 300_000);
    log(`API answers at ${url} (logs in ${logs})`);
    for (let i = 0; i < replicas; i++) startReplica(i);

    const keys = await Promise.all(
      Array.from({ length: tenants }, async (_, t) => {
        const tenantId = `campaign-${t}`;
        return { tenantId, key: (await issueKey(env.config.database.url, tenantId)).key };
      }),
    );
    const make = campaignDocuments(tenants, mix);
    const faults: string[] = [];
    const pendingFaults: Promise<void>[] = [];
    const note = (line: string) => {
      faults.push(line);
      log(line);
    };
    const killAt = new Set(
      Array.from({ length: processorKills }, (_, k) =>
        Math.floor((documents * (k + 1)) / (processorKills + 1)),
      ),
    );
    const brokerAt = cluster ? Math.floor(documents / 3) : -1;
    const postgresAt = options.restartPostgres ? Math.floor((documents * 2) / 3) : -1;
    const fire = (n: number) => {
      if (killAt.has(n)) {
        const i = Math.floor(Math.random() * replicas);
        const victim = processors[i] as ChildProcess;
        pendingFaults.push(
          (async () => {
            victim.kill('SIGKILL');
            await new Promise((resolve) =>
              victim.exitCode !== null || victim.signalCode !== null
                ? resolve(null)
                : victim.once('exit', resolve),
            );
            startReplica(i);
            note(`after ${n} uploads: processor process ${i} killed -9 and started again`);
          })(),
        );
      }
      if (n === brokerAt && cluster) {
        const node = 1 + Math.floor(Math.random() * cluster.nodes);
        pendingFaults.push(
          (async () => {
            await cluster.kill(node);
            note(`after ${n} uploads: Kafka node ${node} killed -9`);
            await new Promise((resolve) => setTimeout(resolve, brokerDownMs));
            const restarted = performance.now();
            await cluster.up();
            note(
              `Kafka node ${node} started again after ${brokerDownMs / 1000} s down; it answered in ${seconds(restarted)} s`,
            );
          })(),
        );
      }
      if (n === postgresAt) {
        pendingFaults.push(
          (async () => {
            const took = await restartPostgres(
              Number(new URL(env.config.database.url).port || 5432),
            );
            note(`after ${n} uploads: PostgreSQL restarted (${(took / 1000).toFixed(1)} s)`);
          })(),
        );
      }
    };

    const accepted: string[] = [];
    const acceptedByKind = Object.fromEntries(DOCUMENT_KINDS.map((k) => [k, 0])) as Record<
      DocumentKind,
      number
    >;
    let refused = 0;
    const refusedFor: Record<string, number> = {};
    let uploadRetries = 0;
    let pushed = 0;
    const began = performance.now();
    const limit = pLimit(concurrency);
    await Promise.all(
      Array.from({ length: documents }, (_, n) =>
        limit(async () => {
          signal?.throwIfAborted();
          const doc = await make(n);
          fire(n);
          if (++pushed % 500 === 0) log(`${pushed} pushed, ${accepted.length} accepted so far`);
          const { tenantId, key } = keys[doc.tenant] as { tenantId: string; key: string };
          const outcome = await upload(url, tenantId, key, doc, () => uploadRetries++);
          if (typeof outcome === 'object') {
            refused++;
            refusedFor[outcome.refused] = (refusedFor[outcome.refused] ?? 0) + 1;
          } else {
            accepted.push(outcome);
            acceptedByKind[doc.kind]++;
          }
        }),
      ),
    );
    const uploaded = performance.now();
    log(
      `${accepted.length} of ${pushed} accepted in ${seconds(began)} s; waiting for the faults to end`,
    );
    await Promise.all(pendingFaults);

    // Drained: every accepted document rejected, failed, or classified and given a patient decision.
    const terminal = async () => {
      const { rows } = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM documents WHERE document_id = ANY($1)
           AND (status IN ('rejected', 'failed') OR (status = 'classified' AND match_status IS NOT NULL))`,
        [accepted],
      );
      return rows[0]?.n ?? 0;
    };
    /** Where the documents not yet terminal are, e.g. `12 validated, 3 classified (no decision)`. */
    const stages = async () => {
      const { rows } = await pool.query<{ stage: string; n: number }>(
        `SELECT CASE WHEN status = 'classified' THEN 'classified, no decision' ELSE status END
                  AS stage, count(*)::int AS n
           FROM documents WHERE document_id = ANY($1)
            AND NOT (status IN ('rejected', 'failed') OR (status = 'classified' AND match_status IS NOT NULL))
           GROUP BY 1 ORDER BY 2 DESC`,
        [accepted],
      );
      return rows.map((r) => `${r.n} ${r.stage}`).join(', ') || 'none in the read model';
    };
    const deadline = Date.now() + drainTimeoutMs;
    let done = 0;
    let lastLogged = Date.now();
    for (;;) {
      done = await terminal().catch(() => done);
      signal?.throwIfAborted();
      if (done >= accepted.length || Date.now() > deadline) break;
      if (Date.now() - lastLogged > 30_000) {
        log(
          `${done} of ${accepted.length} terminal; the others ${await stages().catch(() => '?')}`,
        );
        lastLogged = Date.now();
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const drainSeconds = Number(seconds(uploaded));
    log(
      `${done} of ${accepted.length} terminal ${drainSeconds} s after the last upload; reading the log`,
    );
    const audit = await auditLog(env.config, accepted);
    return {
      ...audit,
      pushed,
      accepted: accepted.length,
      acceptedByKind,
      refused,
      refusedFor,
      uploadRetries,
      faults,
      uploadSeconds: (uploaded - began) / 1000,
      drainSeconds,
      terminalInReadModel: done,
    };
  } finally {
    await pool.end().catch(() => {});
    for (const child of processors) child?.kill('SIGKILL');
    api.kill('SIGTERM');
    await new Promise((resolve) =>
      api.exitCode !== null ? resolve(null) : api.once('exit', resolve),
    );
  }
}

const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);

/** The document id once accepted, or why it was refused (a 4xx); a 5xx or no answer is tried again. */
async function upload(
  url: string,
  tenantId: string,
  key: string,
  doc: CampaignDocument,
  onRetry: () => void,
): Promise<string | { refused: string }> {
  const deadline = Date.now() + 300_000;
  for (let pause = 250; ; pause = Math.min(pause * 2, 5000)) {
    const form = new FormData();
    form.append('tenantId', tenantId);
    form.append('file', new Blob([new Uint8Array(doc.bytes)]), doc.fileName);
    const response = await fetch(`${url}/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
      body: form,
      signal: AbortSignal.timeout(60_000),
    }).catch(() => null);
    if (response?.status === 202)
      return ((await response.json()) as { documentId: string }).documentId;
    if (response && response.status >= 400 && response.status < 500 && response.status !== 429) {
      const body = (await response.json().catch(() => ({}))) as { code?: string };
      return { refused: `${response.status} ${body.code ?? ''}`.trim() };
    }
    await response?.body?.cancel();
    if (Date.now() > deadline) throw new Error(`upload of ${doc.fileName} kept failing`);
    onRetry();
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

async function untilHealthy(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode}`);
    const status = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) })
      .then((r) => r.status)
      .catch(() => 0);
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`the API was not healthy within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
