import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { logLevel } from 'kafkajs';
import pg from 'pg';
import { type Config, loadConfig } from '../../infra/config.ts';
import { createKafka } from '../../infra/kafka/client.ts';
import { createLogger } from '../../infra/logger.ts';
import { registryAuthHeaders } from '../../schemas/codec.ts';

export interface TestEnvironment {
  config: Config;
  /** The environment variables behind `config`, to start a docstream process with. */
  env: Record<string, string>;
  /** Removes everything the environment made: topics, subjects, database, data directory. */
  cleanup(): Promise<void>;
}

/**
 * A private corner of the shared stack for one test file: its own topic prefix (so its own
 * topics, subjects and consumer groups), its own PostgreSQL database and blob directory.
 */
export async function createTestEnvironment(
  env: Record<string, string> = {},
): Promise<TestEnvironment> {
  const id = randomBytes(4).toString('hex');
  const base = loadConfig();
  const url = new URL(base.database.url);
  const database = `docstream_test_${id}`;
  const admin = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const dataDir = await mkdtemp(path.join(tmpdir(), `docstream-${id}-`));
  const vars = {
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    PORT: '0',
    TOPIC_PREFIX: `test-${id}`,
    TOPIC_PARTITIONS: '3',
    DATABASE_URL: withDatabase(url, database),
    DOCSTREAM_DATA_DIR: dataDir,
    // Its own key store (in its own database), so its own key-encryption key.
    KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ...env,
  };
  const config = loadConfig({ ...process.env, ...vars });
  return {
    config,
    env: vars,
    async cleanup() {
      await deleteTopics(config);
      await deleteSubjects(config);
      const client = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await client.end();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function deleteTopics(config: Config) {
  const admin = createKafka(config, createLogger('silent'), { logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const own = (await admin.listTopics()).filter((t) => t.startsWith(`${config.topics.prefix}.`));
    if (own.length > 0) await admin.deleteTopics({ topics: own });
  } finally {
    await admin.disconnect();
  }
}

async function deleteSubjects(config: Config) {
  const headers = registryAuthHeaders(config.registry.auth);
  const subjects: string[] = await (
    await fetch(`${config.registry.url}/subjects`, { headers })
  ).json();
  for (const subject of subjects.filter((s) => s.startsWith(`${config.topics.prefix}.`))) {
    const url = `${config.registry.url}/subjects/${encodeURIComponent(subject)}`;
    await fetch(url, { method: 'DELETE', headers });
    await fetch(`${url}?permanent=true`, { method: 'DELETE', headers });
  }
}

function withDatabase(url: URL, database: string): string {
  const copy = new URL(url);
  copy.pathname = `/${database}`;
  return copy.toString();
}

/** Polls `probe` until it stops throwing, or fails with its last error at the deadline. */
export async function eventually<T>(probe: () => Promise<T> | T, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let pause = 20;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, 250);
    }
  }
}
