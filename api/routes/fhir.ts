import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyError } from 'fastify';
import { type DocstreamError, invalid, notFound } from '../../infra/errors.ts';
import type { TenantDatabase } from '../../infra/postgres.ts';
import { findDocument, patientDocumentViews } from '../../projections/documents/queries.ts';
import {
  findPatient,
  type PatientCriteria,
  patientAsRecorded,
  searchPatients,
} from '../../projections/patients/queries.ts';
import { ACCESS } from '../auth/access.ts';
import { principalOf } from '../auth/plugin.ts';
import { toHttp } from '../errors.ts';
import { fhirRead } from '../fhir/audit.ts';
import { operationOutcome, searchset } from '../fhir/bundle.ts';
import { toDocumentReference } from '../fhir/document-reference.ts';
import { toPatient } from '../fhir/patient.ts';
import {
  dateFilter,
  intervalOf,
  parseToken,
  referenceId,
  valuesOf,
} from '../fhir/search-params.ts';
import { SYSTEMS, slug } from '../fhir/systems.ts';
import { apiBase, fhirBase, selfUrl } from '../fhir/urls.ts';
import { fhirFactRoutes } from './fhir-facts.ts';
import {
  BundleSchema,
  DocumentSearchQuery,
  FHIR_ERRORS,
  FHIR_JSON,
  FhirIdParams,
  FhirReadQuery,
  FhirResourceSchema,
  PatientSearchQuery,
} from './fhir-schemas.ts';

/** FHIR R4 views of the read models: read-only, for readers, audited like the JSON API. */
export interface FhirRoutesOptions {
  /** The database as the principal's tenant sees it. */
  db: TenantDatabase;
}

/** `identifier=` as the patient index keeps identifiers; null when it can name none here. */
function identifierCriterion(
  tenantId: string,
  value: string,
): PatientCriteria['identifier'] | null {
  const { system, code } = parseToken(value);
  if (!system) return { value: code };
  if (system === SYSTEMS.curp) return { value: code, kind: 'curp' };
  const own = `urn:docstream:${slug(tenantId)}:`;
  if (!system.startsWith(own)) return null;
  const [kind, facility] = system.slice(own.length).split(':');
  if (!kind) return null;
  return { value: code, kind, ...(facility !== undefined ? { facilitySlug: facility } : {}) };
}

function birthDateCriterion(value: string): PatientCriteria['birthDate'] {
  const span = /^\d{4}(-\d{2}(-\d{2})?)?$/.test(value) ? intervalOf(value) : null;
  if (!span) {
    throw invalid('INVALID_SEARCH_PARAMETER', 'birthdate takes YYYY, YYYY-MM or YYYY-MM-DD');
  }
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { from: day(span.start), to: day(span.end) };
}

const withOffset = (url: string, offset: number) => {
  const [path, query = ''] = url.split('?');
  const params = new URLSearchParams(query);
  params.set('_offset', String(offset));
  return `${path}?${params}`;
};

export const fhirRoutes: FastifyPluginAsyncTypebox<FhirRoutesOptions> = async (app, { db }) => {
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-type', FHIR_JSON);
    return payload;
  });
  app.setErrorHandler((error: FastifyError | DocstreamError, request, reply) => {
    const { status, code, message } = toHttp(error);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code }, 'request rejected');
    reply.status(status).send(operationOutcome(status, { code, message }, SYSTEMS.errorCode));
  });
  app.setNotFoundHandler((_request, reply) => {
    const error = { code: 'ROUTE_NOT_FOUND', message: 'no such FHIR interaction here' };
    reply.status(404).send(operationOutcome(404, error, SYSTEMS.errorCode));
  });

  const audited = { access: ACCESS.reader, audit: fhirRead };

  app.get(
    '/Patient/:id',
    {
      config: audited,
      schema: {
        summary: 'FHIR R4 read: a Patient',
        description:
          'A patient merged into another answers with `active: false` and a `replaced-by` link to its survivor; a survivor links the patients it `replaces`.',
        params: FhirIdParams,
        querystring: FhirReadQuery,
        response: { 200: FhirResourceSchema, ...FHIR_ERRORS },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      const patient = await patientAsRecorded(db(tenantId), tenantId, request.params.id);
      if (!patient) throw notFound('PATIENT_NOT_FOUND', 'no such patient for this tenant');
      if (patient.mergedInto) return toPatient(tenantId, patient);
      // A survivor: its own row with the patients merged into it.
      const survivor = await findPatient(db(tenantId), tenantId, patient.id);
      return toPatient(tenantId, survivor ?? patient);
    },
  );

  app.get(
    '/Patient',
    {
      config: audited,
      schema: {
        summary: 'FHIR R4 search: Patients by identifier, name, birth date',
        description:
          'Patients not merged into another; one matches through the identifiers and names of the patients merged into it too. Paged with `_count` and `_offset`.',
        querystring: PatientSearchQuery,
        response: { 200: BundleSchema, ...FHIR_ERRORS },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      const { identifier, name, birthdate, _count: count, _offset: offset } = request.query;
      const byIdentifier = identifier ? identifierCriterion(tenantId, identifier) : undefined;
      const links = { self: selfUrl(request) };
      if (byIdentifier === null) return searchset(fhirBase(request), [], links, 0);
      const criteria: PatientCriteria = {
        ...(byIdentifier ? { identifier: byIdentifier } : {}),
        ...(name ? { name } : {}),
        ...(birthdate ? { birthDate: birthDateCriterion(birthdate) } : {}),
      };
      const { total, items } = await searchPatients(db(tenantId), tenantId, criteria, {
        count,
        offset,
      });
      const next =
        offset + items.length < total ? withOffset(links.self, offset + count) : undefined;
      const patients = items.map((p) => toPatient(tenantId, p));
      return searchset(fhirBase(request), patients, { ...links, ...(next ? { next } : {}) }, total);
    },
  );

  app.get(
    '/DocumentReference/:id',
    {
      config: audited,
      schema: {
        summary: 'FHIR R4 read: a document as a DocumentReference',
        params: FhirIdParams,
        querystring: FhirReadQuery,
        response: { 200: FhirResourceSchema, ...FHIR_ERRORS },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      const document = await findDocument(db(tenantId), tenantId, request.params.id);
      if (!document) throw notFound('DOCUMENT_NOT_FOUND', 'no such document for this tenant');
      return toDocumentReference(apiBase(request), document);
    },
  );

  app.get(
    '/DocumentReference',
    {
      config: audited,
      schema: {
        summary: "FHIR R4 search: a patient's documents, by upload date",
        description: 'The documents of the patients merged into it are included.',
        querystring: DocumentSearchQuery,
        response: { 200: BundleSchema, ...FHIR_ERRORS },
      },
    },
    async (request) => {
      const { tenantId } = principalOf(request);
      const inDates = dateFilter(valuesOf(request.query.date));
      const patient = await findPatient(
        db(tenantId),
        tenantId,
        referenceId(request.query.patient, 'Patient'),
      );
      const documents = patient
        ? await patientDocumentViews(db(tenantId), tenantId, patient.id)
        : [];
      const resources = documents
        .filter((d) => inDates(d.uploadedAt))
        .map((d) => toDocumentReference(apiBase(request), d));
      return searchset(fhirBase(request), resources, { self: selfUrl(request) });
    },
  );

  await app.register(fhirFactRoutes, { db });
};
