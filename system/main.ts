import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../infra/config.ts';
import { createLogger } from '../infra/logger.ts';
import { startSystem } from './system.ts';

// `tsx system/main.ts` runs everything; `--processors-only` runs the processors of PROCESSORS
// alone, so more of them can be started to share the work (partitions spread across the group).
const processorsOnly = process.argv.includes('--processors-only');
const config = loadConfig();
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
  logger.fatal({ err: error }, 'docstream failed to start');
  process.exit(1);
}
