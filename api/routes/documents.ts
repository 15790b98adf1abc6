import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { BlobStore } from '../../infra/blobs/blob-store.ts';
import { invalid, notFound } from '../../infra/errors.ts';
import type { TenantDatabase } from '../../infra/postgres.ts';
import type { CheckUploadQuota } from '../../producers/quotas/guard.ts';
import type { RequestReprocess } from '../../producers/reprocess/request.ts';
import { parseUploadFields } from '../../producers/upload/fields.ts';
import type { UploadIntake } from '../../producers/upload/intake.ts';
import { type AsOfPorts, documentAsOf } from '../../projections/as-of/read.ts';
import { findDocument, isTrashed, listDocuments } from '../../projections/documents/queries.ts';
import { documentHistory } from '../../projections/timeline/queries.ts';
import { AUDITED_READS } from '../audit/reads.ts';
import { ACCESS } from '../auth/access.ts';
import { ownTenant, principalOf } from '../auth/plugin.ts';
import { ErrorBody } from '../errors.ts';
import { declaredLength, discardStaged, stageParts } from '../multipart.ts';
import { type AwaitReadModel, withToken } from '../read-your-writes.ts';
import { asOfTime, DocumentReadQuery, DocumentReadSchema } from './as-of.ts';
import {
  DocumentSchema,
  HistorySchema,
  IdParams,
  ListQuery,
  ReadQuery,
  ReprocessAcceptedSchema,
  ReprocessBody,
  UploadAcceptedSchema,
} from './document-schemas.ts';

const errors = { 400: ErrorBody, 404: ErrorBody, 503: ErrorBody, 504: ErrorBody };

export interface DocumentRoutesOptions {
  /** The database as the principal's tenant sees it. */
  db: TenantDatabase;
  blobs: BlobStore;
  intake: UploadIntake;
  requestReprocess: RequestReprocess;
  awaitReadModel: AwaitReadModel;
  uploadMaxBytes: number;
  /** Refuses, before the body is read, an upload the tenant's quotas leave no room for. */
  checkQuota: CheckUploadQuota;
  /** Reads the log's records for `?asOf=` reads. */
  asOf: AsOfPorts;
  now: () => number;
}

export const documentRoutes: FastifyPluginAsyncTypebox<DocumentRoutesOptions> = async (
  app,
  { db, blobs, intake, requestReprocess, awaitReadModel, uploadMaxBytes, checkQuota, asOf, now },
) => {
  app.post(
    '/documents',
    {
      config: { access: ACCESS.uploader },
      schema: {
        summary: 'Upload a document',
        description:
          'multipart/form-data with one `file` part and the fields `externalPatientId` and `documentTypeHint` (optional). The content type is detected from the bytes.',
        consumes: ['multipart/form-data'],
        response: {
          202: UploadAcceptedSchema,
          413: ErrorBody,
          415: ErrorBody,
          429: ErrorBody,
          ...errors,
        },
      },
    },
    async (request, reply) => {
      await checkQuota(principalOf(request).tenantId, {
        documents: 1,
        bytes: declaredLength(request.headers['content-length']),
      });
      const parts = await stageParts(request.parts(), blobs, {
        maxBytes: uploadMaxBytes,
        maxFiles: 1,
      });
      try {
        const [file] = parts.files;
        if (!file) throw invalid('FILE_REQUIRED', 'the file part is missing');
        const tenantId = ownTenant(request, parts.fields.tenantId);
        const upload = parseUploadFields({ ...parts.fields, tenantId, fileName: file.fileName });
        const accepted = await intake({
          ...upload,
          staged: file.staged,
          actor: principalOf(request).actor,
          correlationId: request.id,
        });
        return reply
          .status(202)
          .header('location', `/documents/${accepted.documentId}`)
          .send({
            ...accepted,
            correlationId: request.id,
            position: withToken(accepted.position),
          });
      } finally {
        await discardStaged(blobs, parts);
      }
    },
  );

  app.get(
    '/documents',
    {
      config: { access: ACCESS.reader, audit: AUDITED_READS.documentList },
      schema: {
        summary: 'List documents, newest first',
        querystring: ListQuery,
        response: {
          200: Type.Object({
            items: Type.Array(DocumentSchema),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      const { limit, cursor, minPosition, ...filters } = request.query;
      await awaitReadModel(['documents', 'patients'], minPosition);
      return listDocuments(db(tenantId), tenantId, filters, { limit, cursor });
    },
  );

  app.get(
    '/documents/:id',
    {
      config: { access: ACCESS.reader, audit: AUDITED_READS.document },
      schema: {
        summary: 'One document, now or as it was known at a time',
        description:
          'With `asOf`, the document as this read answered at that time: its events up to then, read from the log and folded, its patient followed through the merges made by then. 404 if the document was not uploaded yet.',
        params: IdParams,
        querystring: DocumentReadQuery,
        response: { 200: DocumentReadSchema, ...errors },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      const { minPosition, asOf: asked } = request.query;
      if (asked !== undefined) {
        const at = asOfTime(asked, now());
        await awaitReadModel(['timeline', 'patient-timeline'], minPosition);
        const then = await documentAsOf(db(tenantId), tenantId, request.params.id, at, asOf);
        if (!then) throw notFound('DOCUMENT_NOT_FOUND', 'no such document for this tenant then');
        return { ...then, asOf: at.toISOString() };
      }
      await awaitReadModel(['documents', 'patients'], minPosition);
      const document = await findDocument(db(tenantId), tenantId, request.params.id);
      if (document) return document;
      if (await isTrashed(db(tenantId), tenantId, request.params.id)) {
        throw notFound('DOCUMENT_TRASHED', 'the document is in the trash until restored or erased');
      }
      throw notFound('DOCUMENT_NOT_FOUND', 'no such document for this tenant');
    },
  );

  app.get(
    '/documents/:id/history',
    {
      config: { access: ACCESS.auditor },
      schema: {
        summary: "A document's events in log order, with their log positions and who wrote them",
        description:
          'Each event names its `actor` as recorded, split into `principal` (the API key or user whose request it records) or `processor` (the name and version of the processor that decided it).',
        params: IdParams,
        querystring: ReadQuery,
        response: { 200: HistorySchema, ...errors },
      },
    },
    async (request) => {
      await awaitReadModel('timeline', request.query.minPosition);
      const events = await documentHistory(
        db(principalOf(request).tenantId),
        principalOf(request).tenantId,
        request.params.id,
      );
      if (events.length === 0)
        throw notFound('DOCUMENT_NOT_FOUND', 'no such document for this tenant');
      return { documentId: request.params.id, events };
    },
  );

  app.post(
    '/documents/:id/reprocess',
    {
      config: { access: ACCESS.admin },
      schema: {
        summary: 'Run the processing chain again on the stored bytes, as a new round',
        params: IdParams,
        body: ReprocessBody,
        response: { 202: ReprocessAcceptedSchema, 429: ErrorBody, ...errors },
      },
    },
    async (request, reply) => {
      const accepted = await requestReprocess({
        tenantId: principalOf(request).tenantId,
        documentId: request.params.id,
        reason: request.body.reason ?? null,
        actor: principalOf(request).actor,
        correlationId: request.id,
      });
      return reply.status(202).send({
        ...accepted,
        correlationId: request.id,
        position: withToken(accepted.position),
      });
    },
  );
};
