import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { behaviourFiles, behaviourHash } from './behaviour-hash.ts';
import manifest from './versions.json' with { type: 'json' };
import { recordVersion, type VersionManifest } from './versions.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const versions: VersionManifest = manifest;

/** Every folder with a processor.ts but runtime/, whose processor.ts is what they all implement. */
const processorFolders = readdirSync(join(root, 'processors'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && entry.name !== 'runtime')
  .map((entry) => entry.name)
  .filter((name) => existsSync(join(root, 'processors', name, 'processor.ts')));

describe('processor versions', () => {
  it('names every processor, and only processors', () => {
    expect(Object.keys(versions).sort()).toEqual(processorFolders.sort());
  });

  it.each(Object.entries(versions))('%s: its version names its behaviour', (name, entry) => {
    const recorded = entry.history[entry.version];
    expect(
      behaviourHash(root, name),
      `${name}'s behaviour changed since ${name}@${entry.version} was recorded: bump its version ` +
        `and run \`npm run processors:version -- ${name} <new-version>\``,
    ).toBe(recorded);
  });

  it('hashes a processor folder without its tests, with the shared modules it imports', () => {
    const files = behaviourFiles(root, 'classify');
    expect(files).toContain('processors/classify/rules.ts');
    expect(files).toContain('processors/document-text.ts');
    expect(files.filter((path) => path.endsWith('.test.ts'))).toEqual([]);
    expect(files.filter((path) => path.startsWith('processors/runtime/'))).toEqual([]);
    expect(files).not.toContain('processors/versions.ts');
  });
});

describe('recording a version', () => {
  const before: VersionManifest = { classify: { version: '1.0.0', history: { '1.0.0': 'aaa' } } };

  it('records new behaviour under a new version, keeping the history', () => {
    expect(recordVersion(before, 'classify', '1.1.0', 'bbb')).toEqual({
      classify: { version: '1.1.0', history: { '1.0.0': 'aaa', '1.1.0': 'bbb' } },
    });
  });

  it('refuses new behaviour under a version already recorded', () => {
    expect(() => recordVersion(before, 'classify', '1.0.0', 'bbb')).toThrow(/new version/);
  });

  it('records the same behaviour again as a no-op, and a new processor from nothing', () => {
    expect(recordVersion(before, 'classify', '1.0.0', 'aaa')).toEqual(before);
    expect(recordVersion(before, 'ocr-fix', '1.0.0', 'ccc')['ocr-fix']).toEqual({
      version: '1.0.0',
      history: { '1.0.0': 'ccc' },
    });
  });

  it('refuses what is not a version', () => {
    expect(() => recordVersion(before, 'classify', 'v2', 'bbb')).toThrow(/not a version/);
  });
});
