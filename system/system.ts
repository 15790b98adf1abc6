import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../api/app.ts';
import { createApiKeyStore } from '../api/auth/api-keys.ts';
import { cachedKeyVerifier, cachedTokenVerifier } from '../api/auth/key-cache.ts';
import { createOidcVerifier } from '../api/auth/oidc.ts';
import type { HealthCheck } from '../api/routes/health.ts';
import { createFileBlobStore } from '../infra/blobs/blob-store.ts';
import type { Config } from '../infra/config.ts';
import { loadKek } from '../infra/crypto/kek.ts';
import { createSealingCodec } from '../infra/crypto/sealing-codec.ts';
import { startKeyService } from '../infra/crypto/service.ts';
import { createEventProducer, createKafka } from '../infra/kafka/client.ts';
import { registerConsumerLag } from '../infra/kafka/consumer-lag.ts';
import { createEventLog } from '../infra/kafka/event-log.ts';
import { createEventReader } from '../infra/kafka/read-records.ts';
import { partitionCounts } from '../infra/kafka/send-by-partition.ts';
import { provisionTopics, topicNames } from '../infra/kafka/topics.ts';
import { keyIdOf } from '../infra/log-digest/signing.ts';
import { loadSigningKey, publicKeyPem } from '../infra/log-digest/signing-key.ts';
import type { Logger } from '../infra/logger.ts';
import { createMetrics } from '../infra/metrics.ts';
import { createPool, migrate, pinnedTenantDatabase, tenantDatabase } from '../infra/postgres.ts';
import { startupStep } from '../infra/startup.ts';
import type { OcrEngine } from '../processors/extract-text/ocr-pool.ts';
import { matchingGroups } from '../processors/match-patient/by-tenant.ts';
import { createPageViewer } from '../processors/page-view.ts';
import { exclusiveAssigner } from '../processors/runtime/exclusive-assigner.ts';
import {
  PROCESSOR_NAMES,
  type RunningProcessors,
  selectProcessors,
  startProcessors,
} from '../processors/start.ts';
import { appendToAuditLog, createReadAudit } from '../producers/audit/read-audit.ts';
import { startBatchCompletion } from '../producers/batches/completion.ts';
import { createBatchWriteSide } from '../producers/batches/write-side.ts';
import { createErasure } from '../producers/erasure/erase.ts';
import { startLogDigest } from '../producers/log-digest/reactor.ts';
import { createPatientMerger } from '../producers/patients/merge.ts';
import { createQuotaGuard } from '../producers/quotas/guard.ts';
import { createQuotaStore } from '../producers/quotas/store.ts';
import { createReprocessRequester } from '../producers/reprocess/request.ts';
import { startRetention } from '../producers/retention/reactor.ts';
import { createRetentionStore } from '../producers/retention/store.ts';
import { createTrash } from '../producers/retention/trash.ts';
import { createReviewResolver } from '../producers/review/resolve.ts';
import { createChildIntake } from '../producers/upload/child-intake.ts';
import { createUploadIntake } from '../producers/upload/intake.ts';
import { createDeliveryLog } from '../producers/webhooks/delivery-log.ts';
import { createWebhookEndpoints } from '../producers/webhooks/endpoints.ts';
import { WEBHOOK_CONSUMER } from '../producers/webhooks/intake.ts';
import { createSecretBox } from '../producers/webhooks/secret-box.ts';
import { type RunningWebhooks, startWebhooks } from '../producers/webhooks/start.ts';
import { completedBatchCounts } from '../projections/batches/queries.ts';
import { PROJECTIONS } from '../projections/catalog.ts';
import { bindToCluster } from '../projections/runtime/checkpoints.ts';
import {
  deadLetterConsumer,
  type RunningProjection,
  startProjection,
  subscribedTopics,
} from '../projections/runtime/runner.ts';
import { documentPages, tenantUsage } from '../projections/usage/queries.ts';
import {
  createSchemaRegistry,
  registerEventSchemas,
  registryAuthHeaders,
} from '../schemas/codec.ts';
import { asyncApiDocument } from './asyncapi/document.ts';
import { startOpsServer } from './ops-server.ts';
import { systemTopicConfigs } from './topics.ts';

export interface System {
  /** The API, when this process serves it. */
  app: FastifyInstance | null;
  /** The API's address; for processors only, that of /health and /metrics when served. */
  url: string | null;
  processors: RunningProcessors;
  stop(): Promise<void>;
}

export interface SystemOptions {
  /** Serve the API and fold the read models (`npm start`), or only run processors. */
  api?: boolean;
  /** An OCR engine in place of the tesseract.js pool (fault tests). */
  ocr?: OcrEngine;
}

/** Wires every part from the config: schema, topics, schemas, projections, processors, the API. */
export async function startSystem(
  config: Config,
  logger: Logger,
  options: SystemOptions = {},
): Promise<System> {
  const started = Date.now();
  const metrics = createMetrics({ processMetrics: true });
  const topics = topicNames(config.topics.prefix);
  // No key-encryption key, no start: checked before anything else is touched.
  await loadKek(config.keys.kek);
  // Each step that reaches Kafka, the registry or PostgreSQL waits out their transient faults.
  const retry = { deadline: started + config.startup.timeoutMs, logger };
  await startupStep('migrating the database', () => migrate(config.database, logger), retry);
  // The owner's pool, for the work that spans tenants: the cluster binding and batch completion.
  const ownerPool = createPool(config.database.url, 2);
  const keyService = await startKeyService(config, ownerPool).catch(async (error: unknown) => {
    await ownerPool.end();
    throw error;
  });

  const kafka = createKafka(config, logger);
  const admin = kafka.admin();
  await startupStep('connecting to Kafka', () => admin.connect(), retry);
  await startupStep(
    'binding the read models to the Kafka cluster',
    async () => bindToCluster(ownerPool, (await admin.describeCluster()).clusterId),
    retry,
  );
  const created = await startupStep(
    'creating topics',
    () => provisionTopics(admin, systemTopicConfigs(config, topics)),
    retry,
  );
  if (created.length > 0) logger.info({ topics: created }, 'topics created');

  const registry = createSchemaRegistry(config.registry.url, config.registry.auth);
  const codec = createSealingCodec(
    registry,
    await startupStep('registering schemas', () => registerEventSchemas(registry, topics), retry),
    keyService.encryption,
  );
  const producer = createEventProducer(kafka);
  await startupStep('connecting the producer', () => producer.connect(), retry);
  const blobs = createFileBlobStore(config.blobs.dir, keyService.encryption);
  // Validate checks what it takes out of zips and e-mails against uploads and quotas.
  const intakePool = createPool(config.database.appUrl, 2);
  const intakeDb = tenantDatabase(intakePool);
  const childIntake = createChildIntake({
    pool: intakePool,
    contentAddress: keyService.encryption.contentAddress,
    checkQuota: createQuotaGuard({
      quotasOf: createQuotaStore(intakeDb).get,
      usageOf: (tenantId, day) => tenantUsage(intakeDb(tenantId), tenantId, day),
      documentPagesOf: (tenantId, documentId) =>
        documentPages(intakeDb(tenantId), tenantId, documentId),
      now: Date.now,
    }).checkUpload,
  });

  const processors = await startProcessors(
    config,
    {
      kafka,
      codec,
      topics,
      logger,
      metrics,
      blobs,
      clock: { now: Date.now, newId: randomUUID },
      childIntake,
      startup: retry,
      ...(options.ocr ? { ocr: options.ocr } : {}),
    },
    selectProcessors(config.processors.run),
  );
  // The digest chain of every topic but its own, beside the processors.
  const signingKey = await loadSigningKey(config.logDigest.signingKey);
  const logDigest = config.logDigest.enabled
    ? await startLogDigest({
        kafka,
        admin,
        codec,
        topics,
        logger,
        key: signingKey,
        sources: systemTopicConfigs(config, topics)
          .map((t) => t.topic)
          .filter((t) => t !== topics.events.digest),
        settings: config.logDigest,
        clock: { now: Date.now, newId: randomUUID },
        // Started in several processes, the oldest keeps every chain; the others stand by.
        partitionAssigners: [exclusiveAssigner(Date.now())],
      })
    : null;
  // Consumers stop together: each waits for its fetch in flight (up to kafkajs' maxWaitTime).
  const stopConsumers = async (...others: (Promise<void> | undefined)[]) => {
    await Promise.all([logDigest?.stop(), processors.stop(), ...others]);
  };
  const closeInfra = async () => {
    await producer.disconnect();
    await admin.disconnect();
    await ownerPool.end();
    await intakePool.end();
    await keyService.close();
  };
  if (options.api === false) {
    const ops =
      config.processors.opsPort === undefined
        ? null
        : await startOpsServer({
            host: config.http.host,
            port: config.processors.opsPort,
            checks: [{ name: 'kafka', check: async () => void (await admin.describeCluster()) }],
            breakers: processors.breakers,
            consumers: async () => ({ stopped: processors.stopped(), lagging: [] }),
            metrics,
          });
    logger.info(
      { processors: processors.names, ops: ops?.url, ms: Date.now() - started },
      'processors started',
    );
    return {
      app: null,
      url: ops?.url ?? null,
      processors,
      stop: async () => {
        await ops?.server.close();
        await stopConsumers();
        await closeInfra();
      },
    };
  }

  // The API and the projections connect as the app role, held to one tenant per transaction.
  const pool = createPool(config.database.appUrl);
  // Side by side: each joins a group of its own, so a start waits for the slowest join alone.
  const projections: RunningProjection[] = await Promise.all(
    PROJECTIONS.map((projection) =>
      startProjection(projection, {
        kafka,
        producer,
        pool,
        codec,
        topics,
        logger,
        metrics,
        blobs,
        settings: {
          retry: {
            maxRetries: config.projections.maxRetries,
            baseMs: config.projections.retryBaseMs,
          },
          restart: config.consumers.restart,
          sessionTimeoutMs: config.consumers.sessionTimeoutMs,
          heartbeatIntervalMs: config.consumers.heartbeatIntervalMs,
          startup: retry,
        },
      }),
    ),
  );
  // Lag of every group, running here or not: a group nobody runs shows its lag growing.
  const consumerLag = registerConsumerLag(
    metrics.registry,
    admin,
    [
      ...PROCESSOR_NAMES.filter((name) => name !== 'match-patient').map((name) => ({
        groupId: topics.consumerGroup(name),
        topics: [topics.events.document, topics.redrive(name)],
      })),
      ...matchingGroups(topics),
      ...PROJECTIONS.map((projection) => ({
        groupId: topics.consumerGroup(deadLetterConsumer(projection)),
        topics: subscribedTopics(projection, topics),
      })),
      { groupId: topics.consumerGroup(WEBHOOK_CONSUMER), topics: Object.values(topics.events) },
    ],
    logger,
    { sampleMs: config.consumers.lagSampleMs },
  );
  const consumerReport = async () => ({
    stopped: [
      ...processors.stopped(),
      ...projections.filter((p) => !p.running()).map((p) => p.name),
    ],
    // A group that nothing here or elsewhere is meant to run is not behind.
    lagging: (await consumerLag.lagging(config.consumers)).filter(
      (g) => config.webhooks.enabled || g.group !== topics.consumerGroup(WEBHOOK_CONSUMER),
    ),
  });
  const eventLog = createEventLog(producer, codec, topics);
  const apiKeys = createApiKeyStore(pool);
  // The reads' pool keeps a tenant per connection (one round trip a query); nothing else uses it.
  const readPool = createPool(config.database.appUrl);
  const db = pinnedTenantDatabase(readPool);
  const quotas = createQuotaStore(db);
  const quotaGuard = createQuotaGuard({
    quotasOf: quotas.get,
    usageOf: (tenantId, day) => tenantUsage(db(tenantId), tenantId, day),
    documentPagesOf: (tenantId, documentId) => documentPages(db(tenantId), tenantId, documentId),
    now: Date.now,
  });
  const intake = createUploadIntake({
    blobs,
    eventLog,
    pool,
    now: Date.now,
    newId: randomUUID,
    checkQuota: quotaGuard.checkUpload,
    contentAddress: keyService.encryption.contentAddress,
  });
  const clock = { now: Date.now, newId: randomUUID };
  const readAudit = config.audit.reads
    ? createReadAudit({
        append: appendToAuditLog(producer, codec, topics, partitionCounts(admin)),
        stamp: clock,
        logger: logger.child({ component: 'read-audit' }),
        metrics,
      })
    : null;
  const batchCompletion = startBatchCompletion({
    pool: ownerPool,
    eventLog,
    logger,
    ...clock,
    intervalMs: config.batches.completionIntervalMs,
    completedCounts: (tenantId, batchId, fileCount) =>
      completedBatchCounts(ownerPool, tenantId, batchId, fileCount),
  });
  // Webhooks are delivered with the API; their queue spans tenants, so they connect as the owner.
  const { webhooks: webhookConfig } = config;
  const webhookSecrets = createSecretBox(webhookConfig.secretKey);
  const webhooks: RunningWebhooks | null = webhookConfig.enabled
    ? await startWebhooks({
        kafka,
        producer,
        ownerUrl: config.database.url,
        codec,
        topics,
        logger,
        metrics,
        settings: {
          policy: { allowPrivate: webhookConfig.allowPrivate },
          secrets: webhookSecrets,
          retry: {
            maxAttempts: webhookConfig.maxAttempts,
            baseMs: webhookConfig.retryBaseMs,
            maxMs: webhookConfig.retryMaxMs,
          },
          timeoutMs: webhookConfig.timeoutMs,
          concurrency: webhookConfig.concurrency,
          pollMs: webhookConfig.pollMs,
        },
      })
    : null;
  const health: HealthCheck[] = [
    { name: 'kafka', check: async () => void (await admin.describeCluster()) },
    {
      name: 'registry',
      check: async () => {
        const response = await fetch(`${config.registry.url}/subjects`, {
          headers: registryAuthHeaders(config.registry.auth),
        });
        if (!response.ok) throw new Error(`registry answered ${response.status}`);
      },
    },
    { name: 'postgres', check: async () => void (await pool.query('SELECT 1')) },
    ...(webhooks ? [{ name: 'webhooks', check: webhooks.check }] : []),
  ];
  const erasure = createErasure({
    pool,
    eventLog,
    keys: keyService.encryption,
    blobs,
    logger,
    now: Date.now,
    newId: randomUUID,
  });
  // Retention erases through the same path as an admin, with its own owner's connections (one
  // holds the lock that keeps other processes from applying the policies at the same time).
  const retentionPool = createPool(config.database.url, 2);
  const retention = config.retention.enabled
    ? startRetention({
        pool: retentionPool,
        eraseDocument: erasure.eraseDocument,
        logger,
        now: Date.now,
        settings: config.retention,
      })
    : null;
  const eventReader = createEventReader(kafka, codec, {
    topics: [topics.events.document, topics.events.patient],
    timeoutMs: config.reads.waitTimeoutMs,
    logger,
  });
  const app = await buildApp(
    {
      config,
      topics,
      pool,
      db,
      blobs,
      pages: createPageViewer(),
      intake,
      health,
      requestReprocess: createReprocessRequester({
        pool,
        eventLog,
        now: Date.now,
        newId: randomUUID,
        checkQuota: quotaGuard.checkReprocess,
      }),
      resolveReview: createReviewResolver({ pool, eventLog, now: Date.now, newId: randomUUID }),
      mergePatients: createPatientMerger({ pool, eventLog, now: Date.now, newId: randomUUID }),
      erasure,
      retention: createRetentionStore({ pool, eventLog, stamp: clock }),
      trash: createTrash({ pool, eventLog, stamp: clock }),
      breakers: processors.breakers,
      consumers: consumerReport,
      metrics,
      batches: createBatchWriteSide({ pool, eventLog, intake, ...clock }),
      quotas,
      quotaGuard,
      recordRead: readAudit?.record ?? null,
      asyncApi: JSON.stringify(asyncApiDocument(config)),
      logPublicKey: { keyId: keyIdOf(signingKey), pem: publicKeyPem(signingKey) },
      readEvents: eventReader.readEvents,
      webhooks: webhooks && {
        endpoints: createWebhookEndpoints(
          db,
          { allowPrivate: webhookConfig.allowPrivate },
          webhookSecrets,
        ),
        deliveries: createDeliveryLog(db, webhooks.wake),
      },
      auth: {
        verifyApiKey: cachedKeyVerifier(apiKeys.verify, config.http.apiKeyCache),
        verifyToken: config.oidc.issuer
          ? cachedTokenVerifier(createOidcVerifier(config.oidc), config.http.apiKeyCache)
          : null,
      },
    },
    logger,
  );
  const url = await app.listen({ host: config.http.host, port: config.http.port });
  logger.info({ url, processors: processors.names, ms: Date.now() - started }, 'docstream started');
  if ((await apiKeys.list()).length === 0) {
    logger.info(
      { hint: 'npm run --silent keys -- create --tenant <tenant> --roles uploader,reader' },
      'no API keys yet: create the first one with the hint, or sign in through the identity provider',
    );
  }

  return {
    app,
    url,
    processors,
    async stop() {
      await app.close();
      await eventReader.stop();
      // The API takes no more requests: what it recorded goes to the log before the producer stops.
      await readAudit?.stop();
      await batchCompletion.stop();
      await retention?.stop();
      await retentionPool.end();
      consumerLag.stop();
      await stopConsumers(webhooks?.stop(), ...projections.map((p) => p.stop()));
      await closeInfra();
      await pool.end();
      await readPool.end();
      logger.info('docstream stopped');
    },
  };
}
