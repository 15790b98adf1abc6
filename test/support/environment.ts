import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type Config, loadConfig } from '../../infra/config.ts';

export interface TestEnvironment {
  config: Config;
  /** Drops the database and removes the blob directory. */
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
  const config = loadConfig({
    ...process.env,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    PORT: '0',
    TOPIC_PREFIX: `test-${id}`,
    TOPIC_PARTITIONS: '3',
    DATABASE_URL: withDatabase(url, database),
    DOCSTREAM_DATA_DIR: dataDir,
    ...env,
  });
  return {
    config,
    async cleanup() {
      const client = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await client.end();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
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
