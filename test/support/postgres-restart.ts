import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Restarts the PostgreSQL cluster serving `port` on this machine (Debian's pg_ctlcluster, as the
 * system runs it) and resolves with the milliseconds the restart took.
 */
export async function restartPostgres(port: number): Promise<number> {
  const { stdout } = await run('pg_lsclusters', ['--no-header']);
  const cluster = stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .find((fields) => fields[2] === String(port));
  if (!cluster) throw new Error(`no PostgreSQL cluster of pg_lsclusters listens on ${port}`);
  const [version, name] = cluster as [string, string];
  const started = performance.now();
  await run('pg_ctlcluster', [version, name, 'restart']);
  return performance.now() - started;
}
