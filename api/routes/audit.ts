import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { TenantDatabase } from '../../infra/postgres.ts';
import { listAudit } from '../../projections/audit/queries.ts';
import { ACCESS } from '../auth/access.ts';
import { principalOf } from '../auth/plugin.ts';
import { ErrorBody } from '../errors.ts';
import { Nullable, TenantQuery } from './document-schemas.ts';

const errors = { 400: ErrorBody, 504: ErrorBody };

const AuditQuery = Type.Object({
  tenantId: Type.Optional(TenantQuery),
  principal: Type.Optional(
    Type.String({ minLength: 1, maxLength: 200, description: 'Who read: key:<id> or user:<sub>' }),
  ),
  patientId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  documentId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'Inclusive' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'Exclusive' })),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
});

const AuditRecordSchema = Type.Object({
  eventId: Type.String(),
  occurredAt: Type.String({ format: 'date-time' }),
  principal: Type.String(),
  route: Type.String({ description: 'The route pattern, e.g. /patients/:id' }),
  method: Type.String(),
  documentIds: Type.Array(Type.String()),
  patientIds: Type.Array(Type.String()),
  resultCount: Type.Integer(),
  status: Type.Integer(),
  reason: Type.Union([Type.String(), Type.Null()], {
    description:
      'Why, for an erasure (route `/documents/:id/erase` or `/patients/:id/erase`); null for a read',
  }),
});

/** Who read which patient data and when, for auditors. */
export interface AuditRoutesOptions {
  /** The database as the principal's tenant sees it. */
  db: TenantDatabase;
}

export const auditRoutes: FastifyPluginAsyncTypebox<AuditRoutesOptions> = async (app, { db }) => {
  app.get(
    '/audit',
    {
      config: { access: ACCESS.auditor },
      schema: {
        summary: "Reads of the tenant's patient data, newest first",
        description:
          'Each read of a document or patient by anyone of the tenant: who, which route, the ids it returned and its status. Recorded within a second or so of the read. Erasures are here too, with who erased which ids and why.',
        querystring: AuditQuery,
        response: {
          200: Type.Object({
            items: Type.Array(AuditRecordSchema),
            nextCursor: Nullable(Type.String()),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      const { principal, patientId, documentId, from, to, limit, cursor } = request.query;
      const filters = { principal, patientId, documentId, from, to };
      return listAudit(db(tenantId), tenantId, filters, { limit, cursor });
    },
  );
};
