import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { BlobReader } from '../../infra/blobs/blob-store.ts';
import { DocstreamError, notFound } from '../../infra/errors.ts';
import type { TenantDatabase } from '../../infra/postgres.ts';
import { documentBlobRef, findDocument } from '../../projections/documents/queries.ts';
import { AUDITED_READS } from '../audit/reads.ts';
import { ACCESS } from '../auth/access.ts';
import { principalOf } from '../auth/plugin.ts';
import { ErrorBody } from '../errors.ts';
import type { AwaitReadModel } from '../read-your-writes.ts';
import { IdParams, ReadQuery } from './document-schemas.ts';

/** Draws the pages of a document's file; the system gives the text extractor's renderer. */
export interface PageDrawer {
  /** Whether documents of this media type have pages to draw (a text file has none). */
  draws(mediaType: string): boolean;
  /** Page `page` (1-based) as a PNG; null past the last page. */
  draw(bytes: Buffer, mediaType: string, page: number): Promise<Buffer | null>;
}

export interface PageImageRoutesOptions {
  /** The database as the principal's tenant sees it. */
  db: TenantDatabase;
  blobs: BlobReader;
  pages: PageDrawer;
  awaitReadModel: AwaitReadModel;
}

export const PageParams = Type.Object({
  ...IdParams.properties,
  page: Type.Integer({ minimum: 1, description: 'The page number, 1 for the first' }),
});

const unavailable = (message: string, cause?: unknown) =>
  new DocstreamError('not-found', 'PAGE_IMAGE_UNAVAILABLE', message, { cause });

/** A page of a document as the reviewer sees it: the original file drawn, not its text. */
export const pageImageRoutes: FastifyPluginAsyncTypebox<PageImageRoutesOptions> = async (
  app,
  { db, blobs, pages, awaitReadModel },
) => {
  app.get(
    '/documents/:id/pages/:page/image',
    {
      config: { access: ACCESS.pageImages, audit: AUDITED_READS.pageImage },
      schema: {
        summary: 'A page of a document as a PNG image, at most 1200 px wide',
        description:
          'PDFs and scanned images (each page of a multi-page TIFF) are drawn from the original file. A text document has no page image: 404 `PAGE_IMAGE_UNAVAILABLE`. Past the last page: 404 `PAGE_NOT_FOUND`.',
        params: PageParams,
        querystring: ReadQuery,
        response: {
          200: {
            description: 'The page, drawn',
            content: {
              'image/png': { schema: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }) },
            },
          },
          400: ErrorBody,
          404: ErrorBody,
          504: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { tenantId } = principalOf(request);
      const { id, page } = request.params;
      await awaitReadModel(['documents'], request.query.minPosition);
      const document = await findDocument(db(tenantId), tenantId, id);
      if (!document) throw notFound('DOCUMENT_NOT_FOUND', 'no such document for this tenant');
      if (!pages.draws(document.mediaType)) {
        throw unavailable(`a ${document.mediaType} document has no page images`);
      }
      let png: Buffer | null;
      try {
        const ref = await documentBlobRef(db(tenantId), tenantId, id);
        if (!ref) throw new Error('the document has no file');
        const bytes = await blobs.read(tenantId, ref);
        png = await pages.draw(bytes, document.mediaType, page);
      } catch (cause) {
        // A file the pipeline rejected as unreadable (or no longer stored) has no picture either.
        request.log.warn({ err: cause, documentId: id }, 'page not drawn');
        throw unavailable("the document's file cannot be drawn", cause);
      }
      if (!png) throw notFound('PAGE_NOT_FOUND', `the document has no page ${page}`);
      return reply.type('image/png').send(png);
    },
  );
};
