import { logLevel } from 'kafkajs';
import pg from 'pg';
import { loadConfig } from '../../infra/config.ts';
import { createKafka } from '../../infra/kafka/client.ts';
import { createLogger } from '../../infra/logger.ts';

/** Fails fast, with a hint, when the stack the tests need is not running. */
export default async function stackReady(): Promise<void> {
  const config = loadConfig();
  const hint = 'start it with `npm run stack:up` (npm test does this for you)';
  const admin = createKafka(config, createLogger('silent'), {
    logLevel: logLevel.NOTHING,
    retry: { retries: 2 },
  }).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } catch (error) {
    throw new Error(`Kafka at ${config.kafka.brokers.join(',')} does not answer: ${hint}`, {
      cause: error,
    });
  } finally {
    await admin.disconnect();
  }
  const registry = await fetch(`${config.registry.url}/subjects`).catch((e: Error) => e);
  if (registry instanceof Error || !registry.ok) {
    throw new Error(`schema registry at ${config.registry.url} does not answer: ${hint}`);
  }
  if (config.oidc.issuer) {
    const discovery = `${config.oidc.issuer}/.well-known/openid-configuration`;
    const keycloak = await fetch(discovery).catch((e: Error) => e);
    if (keycloak instanceof Error || !keycloak.ok) {
      throw new Error(
        `OIDC issuer ${config.oidc.issuer} does not answer: ${hint}, or set OIDC_ISSUER= to test without OIDC`,
      );
    }
  }
  const client = new pg.Client({ connectionString: config.database.url });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`PostgreSQL at ${config.database.url} does not answer: ${hint}`, {
      cause: error,
    });
  } finally {
    await client.end().catch(() => {});
  }
}
