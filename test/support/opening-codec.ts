import type { Config } from '../../infra/config.ts';
import { createSealingCodec } from '../../infra/crypto/sealing-codec.ts';
import { startKeyService } from '../../infra/crypto/service.ts';
import { topicNames } from '../../infra/kafka/topics.ts';
import { createPool } from '../../infra/postgres.ts';
import {
  createEventCodec,
  createSchemaRegistry,
  type EventCodec,
  registerEventSchemas,
} from '../../schemas/codec.ts';

/**
 * The codec of a running docstream's environment, with its key store: it reads what the system
 * wrote with the patient data opened, as the system's own parts do.
 */
export async function openingCodec(
  config: Config,
): Promise<{ codec: EventCodec; close(): Promise<void> }> {
  const pool = createPool(config.database.url, 2);
  const keys = await startKeyService(config, pool);
  const registry = createSchemaRegistry(config.registry.url, config.registry.auth);
  const ids = await registerEventSchemas(registry, topicNames(config.topics.prefix));
  return {
    codec: createSealingCodec(registry, ids, keys.encryption),
    async close() {
      await keys.close();
      await pool.end();
    },
  };
}

/** The codec of an environment without its keys: events decode with their sealed fields blank. */
export async function plainCodec(config: Config): Promise<EventCodec> {
  const registry = createSchemaRegistry(config.registry.url, config.registry.auth);
  return createEventCodec(
    registry,
    await registerEventSchemas(registry, topicNames(config.topics.prefix)),
  );
}
