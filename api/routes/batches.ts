import sseModule from '@fastify/sse';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { BlobStore } from '../../infra/blobs/blob-store.ts';
import type { TenantDatabase } from '../../infra/postgres.ts';
import { assertBatchOpen, batchNotFound } from '../../producers/batches/sessions.ts';
import type { BatchWriteSide } from '../../producers/batches/write-side.ts';
import type { CheckUploadQuota } from '../../producers/quotas/guard.ts';
import { findBatch } from '../../projections/batches/queries.ts';
import { watchBatch } from '../../projections/batches/watch.ts';
import { ACCESS } from '../auth/access.ts';
import { ownTenant, principalOf } from '../auth/plugin.ts';
import { ErrorBody } from '../errors.ts';
import { declaredLength, discardStaged, stageParts } from '../multipart.ts';
import { type AwaitReadModel, withToken } from '../read-your-writes.ts';
import {
  BatchClosedSchema,
  BatchOpenedSchema,
  BatchParams,
  BatchProgressSchema,
  BatchReadQuery,
  BatchSchema,
  FileResultsSchema,
  OpenBatchBody,
  TenantOnlyQuery,
} from './batch-schemas.ts';

const errors = { 400: ErrorBody, 404: ErrorBody, 409: ErrorBody, 503: ErrorBody, 504: ErrorBody };
// The package is CommonJS: its module object is the plugin itself, wrapped so that its route hook
// reaches the routes registered here.
const sse = sseModule as unknown as typeof sseModule.default;

/** Batch uploads: open, add many files, close; the batch's state, and its progress live. */
export interface BatchRoutesOptions {
  /** The database as the principal's tenant sees it. */
  db: TenantDatabase;
  blobs: BlobStore;
  batches: BatchWriteSide;
  awaitReadModel: AwaitReadModel;
  limits: { uploadMaxBytes: number; maxFilesPerRequest: number; progressPollMs: number };
  /** Refuses, before the body is read, files the tenant's quotas leave no room for. */
  checkQuota: CheckUploadQuota;
}

export const batchRoutes: FastifyPluginAsyncTypebox<BatchRoutesOptions> = async (
  app,
  { db, blobs, batches, awaitReadModel, limits, checkQuota },
) => {
  await app.register(sse);

  app.post(
    '/batches',
    {
      config: { access: ACCESS.uploader },
      schema: {
        summary: 'Open a batch to upload many files into',
        body: OpenBatchBody,
        response: { 201: BatchOpenedSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { tenantId } = principalOf(request);
      const { name } = request.body;
      const opened = await batches.open({
        tenantId,
        name: name ?? null,
        actor: principalOf(request).actor,
      });
      return reply
        .status(201)
        .header('location', `/batches/${opened.batchId}`)
        .send({ batchId: opened.batchId, position: withToken(opened.position, 'batch') });
    },
  );

  app.post(
    '/batches/:id/files',
    {
      config: { access: ACCESS.uploader },
      schema: {
        summary: 'Add files to an open batch',
        description: `multipart/form-data with up to ${limits.maxFilesPerRequest} parts named \`file\`, and optionally the fields \`externalPatientId\` and \`documentTypeHint\` for every file. Each file is answered on its own: a bad one gets the error code an upload would, and the others are added.`,
        consumes: ['multipart/form-data'],
        params: BatchParams,
        querystring: TenantOnlyQuery,
        response: {
          201: FileResultsSchema,
          413: ErrorBody,
          415: ErrorBody,
          429: ErrorBody,
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { tenantId } = principalOf(request);
      const batchId = request.params.id;
      await assertBatchOpen(db(tenantId), tenantId, batchId);
      // At least one file; each is checked again with its own size as it is added.
      await checkQuota(tenantId, {
        documents: 1,
        bytes: declaredLength(request.headers['content-length']),
      });
      const { maxFilesPerRequest: maxFiles, uploadMaxBytes: maxBytes } = limits;
      const parts = await stageParts(
        request.parts({
          limits: { files: maxFiles, parts: maxFiles + 10, fileSize: maxBytes + 1 },
        }),
        blobs,
        { maxBytes, maxFiles },
      );
      try {
        const { files, fields } = parts;
        ownTenant(request, fields.tenantId);
        const { externalPatientId, documentTypeHint } = fields;
        const results = await batches.addFiles({
          tenantId,
          batchId,
          files,
          fields: {
            ...(externalPatientId && { externalPatientId }),
            ...(documentTypeHint && { documentTypeHint }),
          },
          actor: principalOf(request).actor,
        });
        return reply.status(201).send({ files: results });
      } finally {
        await discardStaged(blobs, parts);
      }
    },
  );

  app.post(
    '/batches/:id/close',
    {
      config: { access: ACCESS.uploader },
      schema: {
        summary: 'Close a batch: no more files; it completes when every file is done',
        params: BatchParams,
        body: TenantOnlyQuery,
        response: { 202: BatchClosedSchema, ...errors },
      },
    },
    async (request, reply) => {
      const closed = await batches.close({
        tenantId: principalOf(request).tenantId,
        batchId: request.params.id,
        actor: principalOf(request).actor,
      });
      return reply
        .status(202)
        .send({ fileCount: closed.fileCount, position: withToken(closed.position, 'batch') });
    },
  );

  app.get(
    '/batches/:id',
    {
      config: { access: ACCESS.uploader },
      schema: {
        summary: 'A batch, its counts, and the state of each of its files',
        params: BatchParams,
        querystring: BatchReadQuery,
        response: { 200: BatchSchema, ...errors },
      },
    },
    async (request) => {
      await awaitReadModel('batches', request.query.minPosition);
      const batch = await findBatch(
        db(principalOf(request).tenantId),
        principalOf(request).tenantId,
        request.params.id,
      );
      if (!batch) throw batchNotFound();
      return batch;
    },
  );

  app.get(
    '/batches/:id/events',
    {
      config: { access: ACCESS.uploader },
      sse: 'only',
      schema: {
        summary: "A batch's progress as Server-Sent Events",
        description:
          '`progress` with the counts at once and on every change, then `completed` when the batch is completed, and the stream ends.',
        params: BatchParams,
        querystring: BatchReadQuery,
        produces: ['text/event-stream'],
        response: {
          200: {
            description: 'Each event carries the batch progress as its data',
            content: { 'text/event-stream': { schema: BatchProgressSchema } },
          },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { tenantId } = principalOf(request);
      const { minPosition } = request.query;
      const batchId = request.params.id;
      await awaitReadModel('batches', minPosition);
      const read = () => findBatch(db(tenantId), tenantId, batchId);
      if (!(await read())) throw batchNotFound();
      const disconnected = new AbortController();
      reply.sse.onClose(() => disconnected.abort());
      await reply.sse.send(watchBatch(read, limits.progressPollMs, disconnected.signal));
    },
  );
};
