import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { notFound } from '../../infra/errors.ts';
import type { Queryable, TenantDatabase } from '../../infra/postgres.ts';
import { patientNotFound } from '../../producers/patients/lookup.ts';
import type { MergePatients } from '../../producers/patients/merge.ts';
import { type AsOfPorts, documentEntitiesAsOf, patientAsOf } from '../../projections/as-of/read.ts';
import { findDocument } from '../../projections/documents/queries.ts';
import {
  documentEntities,
  patientDiagnoses,
  patientLabs,
  patientMedications,
} from '../../projections/entities/queries.ts';
import {
  findPatient,
  listPatients,
  type PatientView,
  patientDocuments,
} from '../../projections/patients/queries.ts';
import { AUDITED_READS } from '../audit/reads.ts';
import { ACCESS } from '../auth/access.ts';
import { principalOf } from '../auth/plugin.ts';
import { ErrorBody } from '../errors.ts';
import { type AwaitReadModel, withToken } from '../read-your-writes.ts';
import { asOfTime, EntitiesReadSchema, PatientReadQuery, PatientReadSchema } from './as-of.ts';
import { IdParams } from './document-schemas.ts';
import {
  DiagnosesSchema,
  LabsQuery,
  LabsSchema,
  LogReadQuery,
  MedicationsSchema,
  MergeAcceptedSchema,
  MergeBody,
  PatientIdParams,
  PatientListQuery,
  PatientListSchema,
} from './patient-schemas.ts';

const errors = { 400: ErrorBody, 404: ErrorBody, 504: ErrorBody };
const FACTS = ['patients', 'documents', 'entities'] as const;
const MERGED = ' A merged patient answers as the survivor it was merged into.';

/** A document's entities before any were read. */
const unread = (documentId: string) => ({
  documentId,
  round: null,
  dateFormat: null,
  extractedAt: null,
  entities: null,
});

async function survivor(db: Queryable, tenantId: string, id: string): Promise<PatientView> {
  const patient = await findPatient(db, tenantId, id);
  if (!patient) throw patientNotFound();
  return patient;
}

/** The patient index and each patient's clinical facts, merges followed; merging patients. */
export interface PatientRoutesOptions {
  /** The database as the principal's tenant sees it. */
  db: TenantDatabase;
  mergePatients: MergePatients;
  awaitReadModel: AwaitReadModel;
  /** Reads the log's records for `?asOf=` reads. */
  asOf: AsOfPorts;
  now: () => number;
}

export const patientRoutes: FastifyPluginAsyncTypebox<PatientRoutesOptions> = async (
  app,
  { db, mergePatients, awaitReadModel, asOf, now },
) => {
  app.get(
    '/patients',
    {
      config: { access: ACCESS.reader, audit: AUDITED_READS.patientList },
      schema: {
        summary: 'List patients not merged into another, newest registration first',
        querystring: PatientListQuery,
        response: { 200: PatientListSchema, ...errors },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      const { q, limit, cursor, minPosition } = request.query;
      await awaitReadModel(['patients'], minPosition);
      return listPatients(db(tenantId), tenantId, { q }, { limit, cursor });
    },
  );

  app.get(
    '/patients/:id',
    {
      config: { access: ACCESS.reader, audit: AUDITED_READS.patient },
      schema: {
        summary: 'One patient with its documents, now or as it was known at a time',
        description: `The documents include those of patients merged into it.${MERGED} Then \`mergedInto\` is set and \`id\` is the survivor's. With \`asOf\`, the patient as this read answered at that time, folded from the log: merges and document decisions made later are not seen; 404 if it was not registered yet.`,
        params: PatientIdParams,
        querystring: PatientReadQuery,
        response: { 200: PatientReadSchema, ...errors },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      const { minPosition, asOf: asked } = request.query;
      if (asked !== undefined) {
        const at = asOfTime(asked, now());
        await awaitReadModel(['timeline', 'patient-timeline'], minPosition);
        const then = await patientAsOf(db(tenantId), tenantId, request.params.id, at, asOf);
        if (!then) throw patientNotFound();
        return { ...then, asOf: at.toISOString() };
      }
      await awaitReadModel(['patients', 'documents'], minPosition);
      const patient = await survivor(db(tenantId), tenantId, request.params.id);
      return { ...patient, documents: await patientDocuments(db(tenantId), tenantId, patient.id) };
    },
  );

  app.get(
    '/patients/:id/labs',
    {
      config: { access: ACCESS.reader, audit: AUDITED_READS.labs },
      schema: {
        summary: "A patient's lab values over time, oldest first",
        description: `Undated values come last.${MERGED}`,
        params: PatientIdParams,
        querystring: LabsQuery,
        response: { 200: LabsSchema, ...errors },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      const { test, minPosition } = request.query;
      await awaitReadModel(FACTS, minPosition);
      const patient = await survivor(db(tenantId), tenantId, request.params.id);
      return {
        patientId: patient.id,
        labs: await patientLabs(db(tenantId), tenantId, patient.id, test),
      };
    },
  );

  app.get(
    '/patients/:id/medications',
    {
      config: { access: ACCESS.reader, audit: AUDITED_READS.medications },
      schema: {
        summary: "A patient's medications as documented, oldest first",
        description: MERGED.trim(),
        params: PatientIdParams,
        querystring: LogReadQuery,
        response: { 200: MedicationsSchema, ...errors },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      const { minPosition } = request.query;
      await awaitReadModel(FACTS, minPosition);
      const patient = await survivor(db(tenantId), tenantId, request.params.id);
      return {
        patientId: patient.id,
        medications: await patientMedications(db(tenantId), tenantId, patient.id),
      };
    },
  );

  app.get(
    '/patients/:id/diagnoses',
    {
      config: { access: ACCESS.reader, audit: AUDITED_READS.diagnoses },
      schema: {
        summary: "A patient's diagnoses as documented, oldest first",
        description: MERGED.trim(),
        params: PatientIdParams,
        querystring: LogReadQuery,
        response: { 200: DiagnosesSchema, ...errors },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      const { minPosition } = request.query;
      await awaitReadModel(FACTS, minPosition);
      const patient = await survivor(db(tenantId), tenantId, request.params.id);
      return {
        patientId: patient.id,
        diagnoses: await patientDiagnoses(db(tenantId), tenantId, patient.id),
      };
    },
  );

  app.post(
    '/patients/:id/merge',
    {
      config: { access: ACCESS.reviewer },
      schema: {
        summary: 'Merge another patient into this one: they are the same person',
        description:
          "The patient in the path survives; `mergedId` is merged into it, and its documents and facts read as the survivor's from then on. The position is on the patient log.",
        params: PatientIdParams,
        body: MergeBody,
        response: { 202: MergeAcceptedSchema, 409: ErrorBody, 503: ErrorBody, ...errors },
      },
    },
    async (request, reply) => {
      const { tenantId } = principalOf(request);
      const { mergedId, reason } = request.body;
      const accepted = await mergePatients({
        tenantId,
        survivorId: request.params.id,
        mergedId,
        actor: principalOf(request).actor,
        reason: reason ?? null,
        correlationId: request.id,
      });
      return reply.status(202).send({
        ...accepted,
        correlationId: request.id,
        position: withToken(accepted.position, 'patient'),
      });
    },
  );

  app.get(
    '/documents/:id/entities',
    {
      config: { access: ACCESS.reader, audit: AUDITED_READS.documentEntities },
      schema: {
        summary: 'The entities read from a document in its latest round, now or at a time',
        description:
          '`entities` is null until the document has been read. With `asOf`, as they stood then, folded from the log.',
        params: IdParams,
        querystring: PatientReadQuery,
        response: { 200: EntitiesReadSchema, ...errors },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      const { minPosition, asOf: asked } = request.query;
      if (asked !== undefined) {
        const at = asOfTime(asked, now());
        await awaitReadModel('timeline', minPosition);
        const then = await documentEntitiesAsOf(
          db(tenantId),
          tenantId,
          request.params.id,
          at,
          asOf,
        );
        if (!then.found) {
          throw notFound('DOCUMENT_NOT_FOUND', 'no such document for this tenant then');
        }
        return {
          ...(then.entities ?? unread(request.params.id)),
          asOf: at.toISOString(),
        };
      }
      await awaitReadModel(['entities', 'documents'], minPosition);
      const entities = await documentEntities(db(tenantId), tenantId, request.params.id);
      if (entities) return entities;
      if (!(await findDocument(db(tenantId), tenantId, request.params.id))) {
        throw notFound('DOCUMENT_NOT_FOUND', 'no such document for this tenant');
      }
      return unread(request.params.id);
    },
  );
};
