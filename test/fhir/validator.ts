import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');
const project = path.join(import.meta.dirname, 'validator');
const sources = ['pom.xml', 'src/main/java/docstream/fhir/Validate.java'];

export interface ValidationMessage {
  severity: 'fatal' | 'error' | 'warning' | 'information';
  location: string;
  messageId: string | null;
  message: string;
}

export interface ValidationReport {
  resources: number;
  errors: number;
  warnings: number;
  information: number;
  files: Array<{
    file: string;
    resource: string;
    resources: number;
    messages: ValidationMessage[];
  }>;
}

/**
 * HAPI FHIR's R4 validator, built once into `<data dir>/fhir-validator` (again only when its
 * sources change): Maven offline from the local repository when it has everything, else
 * fetching from Maven Central. Answers a function that validates JSON files in one JVM.
 */
export async function fhirValidator(): Promise<(files: string[]) => Promise<ValidationReport>> {
  const dataDir = path.resolve(process.env.DOCSTREAM_DATA_DIR ?? path.join(repo, '.data'));
  const buildDir = path.join(dataDir, 'fhir-validator');
  const stamp = path.join(buildDir, '.built');
  const hash = createHash('sha256');
  for (const source of sources) hash.update(await readFile(path.join(project, source)));
  const sum = hash.digest('hex');
  const built = existsSync(stamp) && (await readFile(stamp, 'utf8')) === sum;
  if (!built) {
    await mkdir(buildDir, { recursive: true });
    const maven = (...flags: string[]) =>
      run('mvn', ['-B', '-q', ...flags, '-f', project, `-Dbuild.dir=${buildDir}`, 'compile'], {
        maxBuffer: 64 * 1024 * 1024,
      });
    await maven('-o').catch(() => maven());
    await writeFile(stamp, sum);
  }
  const classpath = [
    path.join(buildDir, 'target', 'classes'),
    (await readFile(path.join(buildDir, 'classpath.txt'), 'utf8')).trim(),
  ].join(path.delimiter);

  return async (files) => {
    // Exit code 1 means errors were found: the report says which.
    const output = await run(
      'java',
      [
        '-XX:TieredStopAtLevel=1',
        '-XX:+UseSerialGC',
        '-cp',
        classpath,
        'docstream.fhir.Validate',
        ...files,
      ],
      { maxBuffer: 64 * 1024 * 1024 },
    ).catch((failure: { code?: number; stdout?: string; stderr?: string }) => {
      if (failure.code === 1 && failure.stdout) return { stdout: failure.stdout };
      throw new Error(`the FHIR validator failed: ${failure.stderr ?? String(failure)}`);
    });
    return JSON.parse(output.stdout) as ValidationReport;
  };
}
