import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Erasure } from '../../producers/erasure/erase.ts';
import { ACCESS } from '../auth/access.ts';
import { principalOf } from '../auth/plugin.ts';
import { ErrorBody } from '../errors.ts';
import { withToken } from '../read-your-writes.ts';
import { IdParams, PositionToken, TenantQuery } from './document-schemas.ts';
import { PatientIdParams } from './patient-schemas.ts';

const EraseBody = Type.Object({
  tenantId: Type.Optional(TenantQuery),
  reason: Type.String({
    minLength: 1,
    maxLength: 500,
    description: 'Why, as the audit trail will keep it: no patient data',
  }),
});

const ErasedSchema = Type.Object({
  erasedSubjects: Type.Array(Type.String(), {
    description: 'The key subjects whose data keys were destroyed',
  }),
  documentIds: Type.Array(Type.String()),
  correlationId: Type.String(),
  position: PositionToken,
});

const errors = {
  400: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  503: ErrorBody,
};

const WHAT =
  'The data keys are destroyed at once: the fields sealed in the log, the stored files and the stored text can no longer be read by anyone, backups included. Read models then drop what they derived. What remains: ids, who erased and why. 409 the second time.';

/** Erasure by crypto-shredding: admins only, with a reason. */
export const erasureRoutes: FastifyPluginAsyncTypebox<{ erasure: Erasure }> = async (
  app,
  { erasure },
) => {
  app.post(
    '/documents/:id/erase',
    {
      config: { access: ACCESS.admin },
      schema: {
        summary: 'Erase a document, its child documents and its duplicates',
        description: WHAT,
        params: IdParams,
        body: EraseBody,
        response: { 202: ErasedSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { tenantId, actor } = principalOf(request);
      const { event, position } = await erasure.eraseDocument({
        tenantId,
        documentId: request.params.id,
        principal: actor,
        reason: request.body.reason,
        correlationId: request.id,
      });
      return reply.status(202).send({
        erasedSubjects: event.data.destroyedSubjects,
        documentIds: event.data.destroyedSubjects
          .filter((s) => s.startsWith('document:'))
          .map((s) => s.slice('document:'.length)),
        correlationId: request.id,
        position: withToken(position),
      });
    },
  );

  app.post(
    '/patients/:id/erase',
    {
      config: { access: ACCESS.admin },
      schema: {
        summary: 'Erase a patient, the patients merged into it and every document linked to them',
        description: WHAT,
        params: PatientIdParams,
        body: EraseBody,
        response: { 202: ErasedSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { tenantId, actor } = principalOf(request);
      const { event, position } = await erasure.erasePatient({
        tenantId,
        patientId: request.params.id,
        principal: actor,
        reason: request.body.reason,
        correlationId: request.id,
      });
      return reply.status(202).send({
        erasedSubjects: event.data.destroyedSubjects,
        documentIds: event.data.documentIds,
        correlationId: request.id,
        position: withToken(position, 'patient'),
      });
    },
  );
};
