import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The source tree the command line belongs to: the admin tools run from it. */
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The admin tools that talk to Kafka and PostgreSQL directly, not to the API
 * (`system/keys.ts`, `processors/dlq.ts`, `system/rebuild.ts`).
 */
export const LOCAL_TOOLS = {
  keys: 'system/keys.ts',
  dlq: 'processors/dlq.ts',
  rebuild: 'system/rebuild.ts',
} as const;

/**
 * Runs one of the local admin tools in this machine's checkout, as `npm run <tool>` would, with
 * this process's environment (so its `DATABASE_URL`, `KAFKA_*`, …) and terminal. Answers its
 * exit code.
 */
export function runLocalTool(
  tool: keyof typeof LOCAL_TOOLS,
  args: readonly string[],
): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', LOCAL_TOOLS[tool], ...args], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}
