import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../infra/postgres.ts';
import { createTestEnvironment, eventually, type TestEnvironment } from '../support/environment.ts';

describe('a pool whose connections the server ends (a PostgreSQL restart)', () => {
  let env: TestEnvironment;
  beforeAll(async () => {
    env = await createTestEnvironment();
  });
  afterAll(async () => {
    await env?.cleanup();
  });

  it('survives a checked-out connection ended between two queries, and serves again', async () => {
    const pool = createPool(env.config.database.url, 2);
    const held = await pool.connect();
    const { rows } = await held.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const ended = new Promise<Error>((resolve) => held.once('error', resolve));
    const admin = new pg.Client({ connectionString: env.config.database.url });
    await admin.connect();
    await admin.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
    await admin.end();
    // Without a listener of its own on checked-out clients, this error ends the process.
    expect((await ended).message).toMatch(/terminating connection/);
    await expect(held.query('SELECT 1')).rejects.toThrow();
    held.release();
    await eventually(async () => expect((await pool.query('SELECT 1 AS one')).rows[0].one).toBe(1));
    await pool.end();
  });
});
