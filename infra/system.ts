import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../api/app.ts';
import type { HealthCheck } from '../api/routes/health.ts';
import { createFileBlobStore } from '../producers/blobs/blob-store.ts';
import { createUploadIntake } from '../producers/upload/intake.ts';
import { documentsProjection } from '../projections/documents/projection.ts';
import { bindToCluster } from '../projections/runtime/checkpoints.ts';
import {
  deadLetterConsumer,
  type RunningProjection,
  startProjection,
} from '../projections/runtime/runner.ts';
import { timelineProjection } from '../projections/timeline/projection.ts';
import { createEventCodec, createSchemaRegistry, registerEventSchemas } from '../schemas/codec.ts';
import type { Config } from './config.ts';
import { createEventProducer, createKafka } from './kafka/client.ts';
import { createEventLog } from './kafka/event-log.ts';
import { eventLogTopicConfigs, provisionTopics, topicNames } from './kafka/topics.ts';
import type { Logger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { createPool, migrate } from './postgres.ts';

export interface System {
  app: FastifyInstance;
  url: string;
  stop(): Promise<void>;
}

const PROJECTIONS = [documentsProjection, timelineProjection];

/** Wires every part from the config: schema, topics, schemas, projections, then the API. */
export async function startSystem(config: Config, logger: Logger): Promise<System> {
  const started = Date.now();
  const metrics = createMetrics({ processMetrics: true });
  const topics = topicNames(config.topics.prefix);
  await migrate(config.database.url, logger);
  const pool = createPool(config.database.url);

  const kafka = createKafka(config, logger);
  const admin = kafka.admin();
  await admin.connect();
  await bindToCluster(pool, (await admin.describeCluster()).clusterId);
  const created = await provisionTopics(
    admin,
    eventLogTopicConfigs(config.topics, topics, PROJECTIONS.map(deadLetterConsumer)),
  );
  if (created.length > 0) logger.info({ topics: created }, 'topics created');

  const registry = createSchemaRegistry(config.registry.url);
  const codec = createEventCodec(registry, await registerEventSchemas(registry, topics));
  const producer = createEventProducer(kafka);
  await producer.connect();

  const projections: RunningProjection[] = [];
  for (const projection of PROJECTIONS) {
    projections.push(
      await startProjection(projection, { kafka, producer, pool, codec, topics, logger, metrics }),
    );
  }

  const blobs = createFileBlobStore(config.blobs.dir);
  const intake = createUploadIntake({
    blobs,
    eventLog: createEventLog(producer, codec, topics),
    pool,
    now: Date.now,
    newId: randomUUID,
  });
  const health: HealthCheck[] = [
    { name: 'kafka', check: async () => void (await admin.describeCluster()) },
    {
      name: 'registry',
      check: async () => {
        const response = await fetch(`${config.registry.url}/subjects`);
        if (!response.ok) throw new Error(`registry answered ${response.status}`);
      },
    },
    { name: 'postgres', check: async () => void (await pool.query('SELECT 1')) },
  ];
  const app = await buildApp({ config, topics, pool, blobs, intake, health, metrics }, logger);
  const url = await app.listen({ host: config.http.host, port: config.http.port });
  logger.info({ url, ms: Date.now() - started }, 'docstream started');

  return {
    app,
    url,
    async stop() {
      await app.close();
      await Promise.all(projections.map((p) => p.stop()));
      await producer.disconnect();
      await admin.disconnect();
      await pool.end();
      logger.info('docstream stopped');
    },
  };
}
