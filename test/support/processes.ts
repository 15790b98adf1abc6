import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildMain, MAIN_ARGS } from '../../system/build.ts';

let built: Promise<void> | undefined;

/** Node.js's arguments for the process `npm start` runs, built from the sources once per run. */
export async function mainArgs(...args: string[]): Promise<string[]> {
  built ??= buildMain();
  await built;
  return [...MAIN_ARGS, ...args];
}

export interface ProcessorsProcess {
  readonly child: ChildProcess;
  /** Resolves once the process says its processors have started; rejects if it exits first. */
  started: Promise<void>;
  exited: Promise<number | null>;
  output(): string;
}

/** `npm run processors` as a child process, with the test's environment. */
export async function spawnProcessors(env: Record<string, string>): Promise<ProcessorsProcess> {
  // A profiled run (`node --cpu-prof …`) profiles its processors' process too.
  const profiling = process.execArgv.filter((arg) => arg.startsWith('--cpu-prof'));
  const child = spawn(process.execPath, [...profiling, ...(await mainArgs('--processors-only'))], {
    env: { ...process.env, ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const started = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`processors did not start:\n${output}`)),
      // A loaded machine (suites side by side on two cores) takes most of a minute to start.
      120_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('"processors started"')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`processors exited with ${code} before starting:\n${output}`));
    });
  });
  started.catch(() => {});
  return { child, started, exited, output: () => output };
}

export interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** `npm run --silent <script> -- <args>` from the repository, to its end: exit code and output. */
export function runNpmScript(
  script: string,
  args: readonly string[],
  env: Record<string, string | undefined>,
): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', script, '--', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
