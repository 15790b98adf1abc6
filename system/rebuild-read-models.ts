import { loadConfig } from '../infra/config.ts';
import { createKafka } from '../infra/kafka/client.ts';
import { topicNames } from '../infra/kafka/topics.ts';
import { createLogger } from '../infra/logger.ts';
import { createPool } from '../infra/postgres.ts';
import { rebuildReadModels } from '../projections/runtime/rebuild.ts';

// `npm run rebuild-read-models`, while docstream is stopped: drops every read model and its
// checkpoints (never the write side's state); the next start folds them again from the log.
const config = loadConfig();
const logger = createLogger(config.logLevel);
const pool = createPool(config.database.url, 1);
const admin = createKafka(config, logger).admin();

try {
  await admin.connect();
  const { dropped, groups } = await rebuildReadModels({
    database: config.database,
    pool,
    admin,
    topics: topicNames(config.topics.prefix),
    logger,
  });
  logger.info(
    { dropped: dropped.length, groups },
    'read models dropped: start docstream to fold them again from the beginning of the log',
  );
} catch (error) {
  logger.fatal({ err: error }, 'the read models were not rebuilt');
  process.exitCode = 1;
} finally {
  await admin.disconnect();
  await pool.end();
}
