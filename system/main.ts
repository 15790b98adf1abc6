import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../infra/config.ts';
import { KeyEncryptionKeyError } from '../infra/crypto/errors.ts';
import { createLogger } from '../infra/logger.ts';
import { MisconfigurationError } from '../infra/startup.ts';
import { startSystem } from './system.ts';

// `npm start` runs everything (this file built by system/build.ts); `--processors-only` runs the
// processors of PROCESSORS alone, so more of them can be started to share the work (partitions
// spread across the group).
const processorsOnly = process.argv.includes('--processors-only');
// One full process per host and topic prefix, so its transactional ids can stay the same across
// restarts: a start after a crash then fences the open transactions of the dead one at once
// instead of waiting for their timeout. Processors-only replicas set their own.
const host = os
  .hostname()
  .replace(/[^A-Za-z0-9._-]/g, '-')
  .slice(0, 56);
const stableId = `${host}-main`;
const config = loadConfig(
  processorsOnly ? process.env : { PROCESSOR_INSTANCE_ID: stableId, ...process.env },
);
const logger = createLogger(config.logLevel);
const pidFile = processorsOnly ? null : path.join(config.dataDir, 'docstream.pid');

try {
  const system = await startSystem(config, logger, { api: !processorsOnly });
  if (pidFile) {
    await mkdir(config.dataDir, { recursive: true });
    await writeFile(pidFile, String(process.pid));
  }
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await system.stop();
    if (pidFile) await rm(pidFile, { force: true });
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
} catch (error) {
  // A key-encryption key problem or a misconfiguration says what to fix; anything else is in `err`.
  const message =
    error instanceof KeyEncryptionKeyError || error instanceof MisconfigurationError
      ? `docstream refuses to start: ${error.message}`
      : 'docstream failed to start';
  logger.fatal({ err: error }, message);
  process.exit(1);
}
