import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { behaviourHash } from './behaviour-hash.ts';
import { recordVersion, type VersionManifest } from './versions.ts';

const USAGE = 'usage: npm run processors:version -- <processor> <new-version>';

const root = fileURLToPath(new URL('..', import.meta.url));
const manifestPath = join(root, 'processors', 'versions.json');

const [name, version] = process.argv.slice(2);
if (!name || !version) {
  console.error(USAGE);
  process.exit(2);
}
if (name === 'runtime' || !existsSync(join(root, 'processors', name, 'processor.ts'))) {
  console.error(`no processor ${name}: processors/${name}/processor.ts does not exist\n${USAGE}`);
  process.exit(2);
}

const hash = behaviourHash(root, name);
try {
  const versions = JSON.parse(readFileSync(manifestPath, 'utf8')) as VersionManifest;
  writeFileSync(
    manifestPath,
    `${JSON.stringify(recordVersion(versions, name, version, hash), null, 2)}\n`,
  );
  console.log(`${name}@${version}: sha256 ${hash}`);
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
