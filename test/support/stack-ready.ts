import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { loadConfig } from '../../infra/config.ts';

/** Fails fast, with a hint, when the stack the tests need is not running. */
export default async function stackReady(): Promise<void> {
  const config = loadConfig();
  const hint = 'start it with `npm run stack:up` (npm test does this for you)';
  const admin = new Kafka({
    brokers: config.kafka.brokers,
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
