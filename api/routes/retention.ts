import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { RetentionStore } from '../../producers/retention/store.ts';
import { ACCESS } from '../auth/access.ts';
import { ownTenant, principalOf } from '../auth/plugin.ts';
import { ErrorBody } from '../errors.ts';
import { TenantQuery } from './document-schemas.ts';

const errors = { 400: ErrorBody, 503: ErrorBody };

// One schema with both types rather than a union: with type coercion on, a union's number
// branch would read null as 0.
const Limit = (description: string, exclusiveMinimum: boolean) =>
  Type.Unsafe<number | null>({
    type: ['number', 'null'],
    ...(exclusiveMinimum ? { exclusiveMinimum: 0 } : { minimum: 0 }),
    description,
  });
const PolicyFields = {
  documentsMaxAgeDays: Limit('Documents uploaded longer ago than this many days are erased', true),
  rejectedMaxAgeDays: Limit('Rejected uploads are erased this many days after rejection', true),
  trashDelayHours: Limit(
    'Hours a deleted document stays restorable before it is erased; null: the service default (RETENTION_TRASH_DELAY_HOURS)',
    false,
  ),
};
const PolicySchema = Type.Object({
  ...PolicyFields,
  effectiveTrashDelayHours: Type.Number({ description: 'The trash delay that applies' }),
});
const PolicyChangesBody = Type.Object(
  {
    tenantId: Type.Optional(TenantQuery),
    documentsMaxAgeDays: Type.Optional(PolicyFields.documentsMaxAgeDays),
    rejectedMaxAgeDays: Type.Optional(PolicyFields.rejectedMaxAgeDays),
    trashDelayHours: Type.Optional(PolicyFields.trashDelayHours),
  },
  { additionalProperties: false },
);

export interface RetentionRoutesOptions {
  retention: RetentionStore;
  defaultTrashDelayHours: number;
}

/** The tenant's retention policy, read and set by its admins; each change is audited. */
export const retentionRoutes: FastifyPluginAsyncTypebox<RetentionRoutesOptions> = async (
  app,
  { retention, defaultTrashDelayHours },
) => {
  const withEffective = <P extends { trashDelayHours: number | null }>(policy: P) => ({
    ...policy,
    effectiveTrashDelayHours: policy.trashDelayHours ?? defaultTrashDelayHours,
  });

  app.get(
    '/retention',
    {
      config: { access: ACCESS.admin },
      schema: {
        summary: "The tenant's retention policy; a null limit is none",
        querystring: Type.Object({ tenantId: Type.Optional(TenantQuery) }),
        response: { 200: PolicySchema, ...errors },
      },
    },
    async (request) =>
      withEffective(await retention.get(ownTenant(request, request.query.tenantId))),
  );

  app.put(
    '/retention',
    {
      config: { access: ACCESS.admin },
      schema: {
        summary: "Change the tenant's retention policy",
        description:
          'Each limit given is set, a null one is cleared; one left out stays as it is. Fractions are allowed. The change is recorded on the audit log as RetentionPolicyChanged; retention applies it at its next pass, erasing through the erasure path.',
        body: PolicyChangesBody,
        response: { 200: PolicySchema, ...errors },
      },
    },
    async (request) => {
      const { tenantId: named, ...changes } = request.body;
      const tenantId = ownTenant(request, named);
      const policy = await retention.set(tenantId, changes, {
        actor: principalOf(request).actor,
        correlationId: request.id,
      });
      return withEffective(policy);
    },
  );
};
