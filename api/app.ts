import { randomUUID } from 'node:crypto';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { BlobStore } from '../infra/blobs/blob-store.ts';
import type { Breakers } from '../infra/breakers.ts';
import type { Config } from '../infra/config.ts';
import type { ReadEventsAt } from '../infra/kafka/read-records.ts';
import type { TopicNames } from '../infra/kafka/topics.ts';
import type { Logger } from '../infra/logger.ts';
import type { Metrics } from '../infra/metrics.ts';
import type { Pool, TenantDatabase } from '../infra/postgres.ts';
import type { RecordRead } from '../producers/audit/read-audit.ts';
import type { BatchWriteSide } from '../producers/batches/write-side.ts';
import type { Erasure } from '../producers/erasure/erase.ts';
import type { MergePatients } from '../producers/patients/merge.ts';
import type { QuotaGuard } from '../producers/quotas/guard.ts';
import type { QuotaStore } from '../producers/quotas/store.ts';
import type { RequestReprocess } from '../producers/reprocess/request.ts';
import type { RetentionStore } from '../producers/retention/store.ts';
import type { Trash } from '../producers/retention/trash.ts';
import type { ResolveReview } from '../producers/review/resolve.ts';
import type { UploadIntake } from '../producers/upload/intake.ts';
import { auditPlugin } from './audit/plugin.ts';
import { type AuthOptions, authPlugin } from './auth/plugin.ts';
import { errorHandler } from './errors.ts';
import { createReadModelWaiter } from './read-your-writes.ts';
import { asyncApiRoutes } from './routes/asyncapi.ts';
import { auditRoutes } from './routes/audit.ts';
import { batchRoutes } from './routes/batches.ts';
import { documentRoutes } from './routes/documents.ts';
import { erasureRoutes } from './routes/erasure.ts';
import { fhirRoutes } from './routes/fhir.ts';
import { type ConsumerReport, type HealthCheck, healthRoutes } from './routes/health.ts';
import { type LogPublicKey, logPublicKeyRoutes } from './routes/log-public-key.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { type PageDrawer, pageImageRoutes } from './routes/page-images.ts';
import { patientRoutes } from './routes/patients.ts';
import { retentionRoutes } from './routes/retention.ts';
import { reviewRoutes } from './routes/reviews.ts';
import { textRoutes } from './routes/text.ts';
import { trashRoutes } from './routes/trash.ts';
import { usageRoutes } from './routes/usage.ts';
import { webAppRoutes } from './routes/web-app.ts';
import { type WebhookRoutesOptions, webhookRoutes } from './routes/webhooks.ts';
import { securityHeaders } from './security-headers.ts';

export interface ApiDeps {
  config: Config;
  topics: TopicNames;
  /** Connected as the app role: row-level security holds each query to its tenant. */
  pool: Pool;
  /**
   * The read models as one tenant sees them, on a pool of their own (`pinnedTenantDatabase`):
   * what routes read goes through it.
   */
  db: TenantDatabase;
  blobs: BlobStore;
  /** Draws a document's pages as images for people to see. */
  pages: PageDrawer;
  intake: UploadIntake;
  requestReprocess: RequestReprocess;
  resolveReview: ResolveReview;
  mergePatients: MergePatients;
  /** Erasure by crypto-shredding, of a document or a patient. */
  erasure: Erasure;
  batches: BatchWriteSide;
  /** Tenants' quotas as admins set them, and the check of a command against them. */
  quotas: QuotaStore;
  /** Tenants' retention policies as admins set them, and the trash of deleted documents. */
  retention: RetentionStore;
  trash: Trash;
  quotaGuard: QuotaGuard;
  health: HealthCheck[];
  /** The circuit breakers of the processors running in this process, shown by /health. */
  breakers: Pick<Breakers, 'states'>;
  /** Stopped consumers and lagging groups, shown by /health (which they make degraded). */
  consumers?: () => Promise<ConsumerReport>;
  metrics: Metrics;
  /** How a bearer credential becomes a principal: API keys, and OIDC tokens when configured. */
  auth: Omit<AuthOptions, 'opsOpenOnLoopback'>;
  /** Where each read of patient data is recorded; null when reads are not audited. */
  recordRead: RecordRead | null;
  /** The AsyncAPI document of the topics (JSON text), served at /asyncapi.json. */
  asyncApi: string;
  /** Webhook endpoints and their delivery log; null when webhooks are switched off. */
  webhooks: WebhookRoutesOptions | null;
  /** The public half of the log signing key, served at /log/public-key. */
  logPublicKey: LogPublicKey;
  /** The log's records at given positions: what `?asOf=` reads fold. */
  readEvents: ReadEventsAt;
}

const CORRELATION_HEADER = 'x-correlation-id';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function buildApp(deps: ApiDeps, logger: Logger): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger.child({ component: 'api' }) as FastifyBaseLogger,
    // The request id is the correlation id of everything the request causes.
    genReqId: (req) => {
      const given = req.headers[CORRELATION_HEADER];
      return typeof given === 'string' && UUID.test(given) ? given : randomUUID();
    },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, useDefaults: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const awaitReadModel = createReadModelWaiter({
    pool: deps.pool,
    logs: deps.topics.events,
    waitTimeoutMs: deps.config.reads.waitTimeoutMs,
  });
  const { blobs, db } = deps;
  app.addHook('onSend', async (request, reply) => {
    reply.header(CORRELATION_HEADER, request.id);
    // What a credential reads may be patient data: no cache anywhere may keep it.
    if (request.principal) reply.header('cache-control', 'no-store');
  });

  await app.register(errorHandler);
  await app.register(securityHeaders);
  await app.register(authPlugin, {
    ...deps.auth,
    opsOpenOnLoopback: deps.config.http.opsOpenOnLoopback,
  });
  // After authentication, so that the limit is per principal (per address for open routes).
  await app.register(rateLimit, {
    hook: 'preHandler',
    max: deps.config.http.rateLimit.max,
    timeWindow: deps.config.http.rateLimit.windowMs,
    keyGenerator: (request) => request.principal?.actor ?? request.ip,
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      code: 'RATE_LIMITED',
      message: `too many requests: at most ${context.max} in ${context.after}`,
    }),
  });
  await app.register(swagger, {
    openapi: {
      info: { title: 'docstream', version: '0.1.0', description: 'Medical document pipeline API' },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'An OpenID Connect access token, or an API key (dsk_…)',
          },
        },
      },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  await app.register(multipart, {
    // Keep the name as sent, so a path-like name is refused rather than silently trimmed.
    preservePath: true,
    limits: {
      files: 1,
      fields: 10,
      fieldSize: 4096,
      parts: 12,
      fileSize: deps.config.upload.maxBytes + 1,
    },
  });
  // Not encapsulated: its timing hook must see every route.
  await app.register(fp(metricsRoutes), { metrics: deps.metrics });
  // Not encapsulated: its hooks must see every audited route.
  if (deps.recordRead) await app.register(auditPlugin, { record: deps.recordRead });
  await app.register(healthRoutes, {
    checks: deps.health,
    breakers: deps.breakers,
    ...(deps.consumers ? { consumers: deps.consumers } : {}),
  });
  await app.register(asyncApiRoutes, { document: deps.asyncApi });
  await app.register(logPublicKeyRoutes, { key: deps.logPublicKey });
  await app.register(documentRoutes, {
    db,
    blobs,
    intake: deps.intake,
    requestReprocess: deps.requestReprocess,
    awaitReadModel,
    uploadMaxBytes: deps.config.upload.maxBytes,
    checkQuota: deps.quotaGuard.checkUpload,
    asOf: { readEvents: deps.readEvents },
    now: Date.now,
  });
  await app.register(erasureRoutes, { erasure: deps.erasure });
  await app.register(textRoutes, { db, awaitReadModel });
  await app.register(pageImageRoutes, { db, blobs, pages: deps.pages, awaitReadModel });
  await app.register(patientRoutes, {
    db,
    mergePatients: deps.mergePatients,
    awaitReadModel,
    asOf: { readEvents: deps.readEvents },
    now: Date.now,
  });
  await app.register(reviewRoutes, {
    db,
    resolveReview: deps.resolveReview,
    awaitReadModel,
    pages: deps.pages,
  });
  await app.register(batchRoutes, {
    db,
    blobs,
    batches: deps.batches,
    awaitReadModel,
    limits: {
      uploadMaxBytes: deps.config.upload.maxBytes,
      maxFilesPerRequest: deps.config.batches.maxFilesPerRequest,
      progressPollMs: deps.config.batches.progressPollMs,
    },
    checkQuota: deps.quotaGuard.checkUpload,
  });
  await app.register(usageRoutes, { db, quotas: deps.quotas, awaitReadModel, now: Date.now });
  await app.register(trashRoutes, {
    trash: deps.trash,
    db,
    awaitReadModel,
    trashDelayHoursOf: async (tenantId) =>
      (await deps.retention.get(tenantId)).trashDelayHours ?? deps.config.retention.trashDelayHours,
  });
  await app.register(retentionRoutes, {
    retention: deps.retention,
    defaultTrashDelayHours: deps.config.retention.trashDelayHours,
  });
  await app.register(auditRoutes, { db });
  await app.register(fhirRoutes, { db, prefix: '/fhir' });
  await app.register(webAppRoutes, {
    oidc: { issuer: deps.config.oidc.issuer, clientId: deps.config.web.oidcClientId },
  });
  if (deps.webhooks) await app.register(webhookRoutes, deps.webhooks);
  return app as unknown as FastifyInstance;
}
