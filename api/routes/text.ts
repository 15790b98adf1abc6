import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { notFound } from '../../infra/errors.ts';
import type { TenantDatabase } from '../../infra/postgres.ts';
import { findDocument } from '../../projections/documents/queries.ts';
import { documentText, searchDocuments } from '../../projections/text/queries.ts';
import { AUDITED_READS } from '../audit/reads.ts';
import { ACCESS } from '../auth/access.ts';
import { principalOf } from '../auth/plugin.ts';
import { ErrorBody } from '../errors.ts';
import type { AwaitReadModel } from '../read-your-writes.ts';
import {
  IdParams,
  ReadQuery,
  SearchQuery,
  SearchResultSchema,
  TextSchema,
} from './document-schemas.ts';

const errors = { 400: ErrorBody, 404: ErrorBody, 504: ErrorBody };

/** The text read from documents: per page, and searched across a tenant's documents. */
export interface TextRoutesOptions {
  /** The database as the principal's tenant sees it. */
  db: TenantDatabase;
  awaitReadModel: AwaitReadModel;
}

export const textRoutes: FastifyPluginAsyncTypebox<TextRoutesOptions> = async (
  app,
  { db, awaitReadModel },
) => {
  app.get(
    '/documents/:id/text',
    {
      config: { access: ACCESS.reader, audit: AUDITED_READS.documentText },
      schema: {
        summary: "A document's text per page, from its latest round, with how each page was read",
        params: IdParams,
        querystring: ReadQuery,
        response: { 200: TextSchema, ...errors },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      const { minPosition } = request.query;
      await awaitReadModel('text', minPosition);
      const pages = await documentText(db(tenantId), tenantId, request.params.id);
      if (pages.length === 0 && !(await findDocument(db(tenantId), tenantId, request.params.id))) {
        throw notFound('DOCUMENT_NOT_FOUND', 'no such document for this tenant');
      }
      return { documentId: request.params.id, pages };
    },
  );

  app.get(
    '/search',
    {
      config: { access: ACCESS.reader, audit: AUDITED_READS.search },
      schema: {
        summary: "Full-text search over a tenant's documents (Spanish and English, accents folded)",
        querystring: SearchQuery,
        response: { 200: SearchResultSchema, ...errors },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      const { q, limit, minPosition } = request.query;
      await awaitReadModel('text', minPosition);
      return { items: await searchDocuments(db(tenantId), tenantId, q, limit) };
    },
  );
};
