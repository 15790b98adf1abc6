import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, sep } from 'node:path';

const isTest = (path: string) => path.endsWith('.test.ts');

/**
 * Modules under processors/ that decide nothing: the runtime around every processor, the versions,
 * and the offload pool (it runs processors' own functions, each counted in its processor's folder).
 */
const NOT_BEHAVIOUR = /^processors\/(runtime\/|offload\/|versions\.ts$)/;

const RELATIVE_IMPORT = /\b(?:from|import)\s*\(?\s*['"](\.\.?\/[^'"]+)['"]/g;

/** Repository-relative paths of the files under `dir`, with `/` separators. */
function filesUnder(root: string, dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .map((entry) => posix.join(dir, entry.split(sep).join('/')))
    .filter((path) => statSync(join(root, path)).isFile());
}

function relativeImports(root: string, path: string): string[] {
  if (!path.endsWith('.ts')) return [];
  const source = readFileSync(join(root, path), 'utf8');
  return [...source.matchAll(RELATIVE_IMPORT)].map(([, specifier]) =>
    posix.normalize(posix.join(posix.dirname(path), specifier as string)),
  );
}

const isSharedBehaviour = (path: string) =>
  path.startsWith('processors/') && !NOT_BEHAVIOUR.test(path) && !isTest(path);

/**
 * The files that define what processor `name` decides, repository-relative and sorted: every
 * non-test file in its folder, and the modules under processors/ they import, transitively.
 */
export function behaviourFiles(root: string, name: string): string[] {
  const found = new Set(filesUnder(root, `processors/${name}`).filter((path) => !isTest(path)));
  const pending = [...found];
  for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
    for (const imported of relativeImports(root, path)) {
      if (found.has(imported) || !isSharedBehaviour(imported)) continue;
      found.add(imported);
      pending.push(imported);
    }
  }
  return [...found].sort();
}

/** sha256 of the behaviour files' paths and contents, line endings normalised to `\n`. */
export function behaviourHash(root: string, name: string): string {
  const hash = createHash('sha256');
  for (const path of behaviourFiles(root, name)) {
    const text = readFileSync(join(root, path), 'utf8').replace(/\r\n?/g, '\n');
    hash.update(`${path}\0${text}\0`);
  }
  return hash.digest('hex');
}
