import manifest from './versions.json' with { type: 'json' };

/**
 * Each processor's version, and the hash of the behaviour every version it ever had was recorded
 * with (see behaviour-hash.ts). `processor@version` is the actor on the events it emits, so a
 * version names one behaviour: it changes whenever the behaviour does.
 */
export type VersionManifest = Record<string, { version: string; history: Record<string, string> }>;

export type ProcessorName = keyof typeof manifest;

export const processorVersion = (name: ProcessorName): string => manifest[name].version;

const SEMVER = /^\d+\.\d+\.\d+$/;

/**
 * The manifest with `name` at `version`, recorded with behaviour `hash`. A version already
 * recorded keeps its hash: new behaviour needs a new version.
 */
export function recordVersion(
  versions: VersionManifest,
  name: string,
  version: string,
  hash: string,
): VersionManifest {
  if (!SEMVER.test(version)) throw new Error(`${version} is not a version like 1.2.3`);
  const history = versions[name]?.history ?? {};
  const recorded = history[version];
  if (recorded !== undefined && recorded !== hash) {
    throw new Error(
      `${name}@${version} was recorded with other behaviour (sha256 ${recorded}); give the new behaviour a new version`,
    );
  }
  return { ...versions, [name]: { version, history: { ...history, [version]: hash } } };
}
