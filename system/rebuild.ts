import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createFileBlobStore } from '../infra/blobs/blob-store.ts';
import { loadConfig } from '../infra/config.ts';
import { createSealingCodec } from '../infra/crypto/sealing-codec.ts';
import { type KeyService, startKeyService } from '../infra/crypto/service.ts';
import { createKafka } from '../infra/kafka/client.ts';
import { measureReadRate } from '../infra/kafka/read-rate.ts';
import { topicNames } from '../infra/kafka/topics.ts';
import { createLogger } from '../infra/logger.ts';
import { createPool } from '../infra/postgres.ts';
import type { TableComparison } from '../projections/runtime/compare.ts';
import { rebuildAndSwap, selectReadModels } from '../projections/runtime/rebuild-and-swap.ts';
import {
  formatReadRate,
  formatRebuild,
  tableLines,
} from '../projections/runtime/rebuild-report.ts';
import { subscribedTopics } from '../projections/runtime/runner.ts';
import { createSchemaRegistry } from '../schemas/codec.ts';

// `npm run rebuild -- <read model|all> [--require-equal]`, while docstream runs: folds the read
// model(s) from offset 0 into a shadow schema, catches up with the live projection, compares
// table by table and swaps the shadow in; then reads the same topics with a bare kafkajs consumer
// for the rate to compare with. With --require-equal a read model whose rebuild differs from the
// live one is left as it is, and the command fails.
const USAGE = 'usage: rebuild <read model|all> [--require-equal]';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { 'require-equal': { type: 'boolean', default: false } },
});
const [name, ...extra] = positionals;
if (name === undefined || extra.length > 0) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}

const config = loadConfig();
// Logs go to stderr, so that stdout carries only the report.
const logger = createLogger(config.logLevel, process.stderr);
let projections: ReturnType<typeof selectReadModels>;
try {
  projections = selectReadModels(name);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
  process.exit(2);
}

const topics = topicNames(config.topics.prefix);
const kafka = createKafka(config, logger);
const admin = kafka.admin();
const pool = createPool(config.database.url, 4);
const registry = createSchemaRegistry(config.registry.url, config.registry.auth);
const print = (lines: string[]) => process.stdout.write(`${lines.join('\n')}\n`);

let keyService: KeyService | undefined;
try {
  await admin.connect();
  // Events' patient data and the blob store (extracted text) are sealed.
  keyService = await startKeyService(config, pool);
  const deps = {
    kafka,
    admin,
    databaseUrl: config.database.url,
    // Decoding only: the schemas are found by the ids the messages carry.
    codec: createSealingCodec(registry, new Map(), keyService.encryption),
    topics,
    blobs: createFileBlobStore(config.blobs.dir, keyService.encryption),
    logger,
  };
  for (const projection of projections) {
    const result = await rebuildAndSwap(projection, deps, {
      requireEqual: values['require-equal'],
    });
    print(formatRebuild(result));
  }
  const read = [...new Set(projections.flatMap((p) => subscribedTopics(p, topics)))];
  const group = topics.consumerGroup(`rebuild-floor-${randomUUID().slice(0, 8)}`);
  print([formatReadRate(await measureReadRate(kafka, admin, read, group))]);
} catch (error) {
  // A rebuild refused for differing says where it differs.
  const compared = (error as { tables?: TableComparison[] }).tables;
  if (compared) print(tableLines(compared));
  process.stderr.write(`rebuild failed: ${(error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await keyService?.close();
  await admin.disconnect();
  await pool.end();
}
