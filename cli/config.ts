import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import type { Connection } from './api.ts';

export const DEFAULT_URL = 'http://127.0.0.1:3000';

export interface ConnectionFlags {
  url?: string;
  key?: string;
  config?: string;
}

/** `$XDG_CONFIG_HOME/docstream/config.json`, else `~/.config/docstream/config.json`. */
export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || path.join(homedir(), '.config');
  return path.join(base, 'docstream', 'config.json');
}

/**
 * Where to reach the API and with which key: flags first, then `DOCSTREAM_URL` and
 * `DOCSTREAM_API_KEY`, then the config file (`{ "url": …, "key": … }`), then the local default.
 */
export async function resolveConnection(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Connection> {
  const file = await readConfigFile(flags.config ?? defaultConfigPath(env), !!flags.config);
  const url = flags.url || env.DOCSTREAM_URL || file.url || DEFAULT_URL;
  const key = flags.key || env.DOCSTREAM_API_KEY || file.key;
  if (!key) {
    throw new Error(
      'no API key: pass --key, set DOCSTREAM_API_KEY, or put "key" in the config file',
    );
  }
  return { url, key };
}

async function readConfigFile(
  file: string,
  required: boolean,
): Promise<{ url?: string; key?: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`cannot read the config file ${file}: ${(error as Error).message}`);
  }
  const parsed = JSON.parse(text) as { url?: unknown; key?: unknown };
  return {
    ...(typeof parsed.url === 'string' && { url: parsed.url }),
    ...(typeof parsed.key === 'string' && { key: parsed.key }),
  };
}
