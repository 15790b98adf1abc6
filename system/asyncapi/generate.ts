/**
 * Writes docs/asyncapi.json, the contract of the topics, from the topic catalog and the Avro
 * schemas with the default configuration (`npm run asyncapi`). `--check` only compares, and fails
 * when the committed file is not what they generate.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadConfig } from '../../infra/config.ts';
import { asyncApiDocument } from './document.ts';

export const ASYNCAPI_FILE = fileURLToPath(new URL('../../docs/asyncapi.json', import.meta.url));

export const STALE_MESSAGE =
  'docs/asyncapi.json is not what the topics and schemas generate: run npm run asyncapi';

/** The text of docs/asyncapi.json: the document for the defaults, not this machine's settings. */
export function generateAsyncApi(): string {
  return `${JSON.stringify(asyncApiDocument(loadConfig({})), null, 2)}\n`;
}

/** The committed docs/asyncapi.json, or null when there is none. */
export function readCommitted(): string | null {
  try {
    return readFileSync(ASYNCAPI_FILE, 'utf8');
  } catch {
    return null;
  }
}

function main(args: string[]) {
  const generated = generateAsyncApi();
  if (!args.includes('--check')) {
    writeFileSync(ASYNCAPI_FILE, generated);
  } else if (readCommitted() !== generated) {
    console.error(STALE_MESSAGE);
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2));
}
