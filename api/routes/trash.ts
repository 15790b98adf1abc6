import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { TenantDatabase } from '../../infra/postgres.ts';
import type { Trash } from '../../producers/retention/trash.ts';
import { listTrashed } from '../../projections/documents/queries.ts';
import { AUDITED_READS } from '../audit/reads.ts';
import { ACCESS } from '../auth/access.ts';
import { ownTenant, principalOf } from '../auth/plugin.ts';
import { ErrorBody } from '../errors.ts';
import { type AwaitReadModel, withToken } from '../read-your-writes.ts';
import { IdParams, MinPosition, PositionToken, TenantQuery } from './document-schemas.ts';

const errors = { 400: ErrorBody, 404: ErrorBody, 409: ErrorBody, 503: ErrorBody };

const TrashQuery = Type.Object(
  {
    tenantId: Type.Optional(TenantQuery),
    reason: Type.Optional(
      Type.String({
        maxLength: 500,
        description: 'Why, in words kept on the log: no patient data',
      }),
    ),
  },
  { additionalProperties: false },
);

const TrashedSchema = Type.Object({
  documentId: Type.String(),
  trashed: Type.Boolean({ description: 'Whether the document is now in the trash' }),
  correlationId: Type.String(),
  position: PositionToken,
});

const TrashListSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      fileName: Type.String(),
      status: Type.String(),
      uploadedAt: Type.String({ format: 'date-time' }),
      trashedAt: Type.String({ format: 'date-time' }),
      erasableFrom: Type.String({
        format: 'date-time',
        description:
          "When the tenant's trash delay, as it stands, has passed: retention's next pass erases it",
      }),
    }),
  ),
});

export interface TrashRoutesOptions {
  trash: Trash;
  /** The database as the principal's tenant sees it. */
  db: TenantDatabase;
  awaitReadModel: AwaitReadModel;
  /** The trash delay that applies to the tenant now. */
  trashDelayHoursOf: (tenantId: string) => Promise<number>;
}

/**
 * Deleting a document into the trash and restoring it. Admins and uploaders may do both (an
 * uploader takes back a file sent to the wrong place); retention erases what stays past the delay.
 */
export const trashRoutes: FastifyPluginAsyncTypebox<TrashRoutesOptions> = async (
  app,
  { trash, db, awaitReadModel, trashDelayHoursOf },
) => {
  app.get(
    '/trash',
    {
      config: { access: ACCESS.trash, audit: AUDITED_READS.documentList },
      schema: {
        summary: "The tenant's deleted documents, still restorable, most recently deleted first",
        querystring: Type.Object({
          tenantId: Type.Optional(TenantQuery),
          limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
          minPosition: Type.Optional(MinPosition),
        }),
        response: { 200: TrashListSchema, ...errors },
      },
    },
    async (request) => {
      const tenantId = ownTenant(request, request.query.tenantId);
      await awaitReadModel('documents', request.query.minPosition);
      const [items, delayHours] = await Promise.all([
        listTrashed(db(tenantId), tenantId, request.query.limit),
        trashDelayHoursOf(tenantId),
      ]);
      return {
        items: items.map((item) => ({
          ...item,
          erasableFrom: new Date(Date.parse(item.trashedAt) + delayHours * 3_600_000).toISOString(),
        })),
      };
    },
  );

  app.delete(
    '/documents/:id',
    {
      config: { access: ACCESS.trash },
      schema: {
        summary: 'Delete a document into the trash',
        description:
          "Appends DocumentTrashed. The document leaves listings, search and reads (404 DOCUMENT_TRASHED) and can be restored until the tenant's trash delay has passed (`GET /retention`); then retention erases it. Deleting it again: 409 DOCUMENT_ALREADY_TRASHED.",
        params: IdParams,
        querystring: TrashQuery,
        response: { 200: TrashedSchema, ...errors },
      },
    },
    async (request) => {
      const tenantId = ownTenant(request, request.query.tenantId);
      const position = await trash.trash({
        tenantId,
        documentId: request.params.id,
        reason: request.query.reason ?? null,
        actor: principalOf(request).actor,
        correlationId: request.id,
      });
      return {
        documentId: request.params.id,
        trashed: true,
        correlationId: request.id,
        position: withToken(position),
      };
    },
  );

  app.post(
    '/documents/:id/restore',
    {
      config: { access: ACCESS.trash },
      schema: {
        summary: 'Take a deleted document back out of the trash',
        description:
          'Appends DocumentRestored: the document is listed, found and read again. 409 DOCUMENT_NOT_TRASHED when it is not in the trash; 404 once retention has erased it.',
        params: IdParams,
        querystring: Type.Object({ tenantId: Type.Optional(TenantQuery) }),
        response: { 200: TrashedSchema, ...errors },
      },
    },
    async (request) => {
      const tenantId = ownTenant(request, request.query.tenantId);
      const position = await trash.restore({
        tenantId,
        documentId: request.params.id,
        actor: principalOf(request).actor,
        correlationId: request.id,
      });
      return {
        documentId: request.params.id,
        trashed: false,
        correlationId: request.id,
        position: withToken(position),
      };
    },
  );
};
