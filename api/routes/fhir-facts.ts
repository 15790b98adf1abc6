import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { notFound } from '../../infra/errors.ts';
import type { Queryable, TenantDatabase } from '../../infra/postgres.ts';
import { findDocument } from '../../projections/documents/queries.ts';
import {
  type Diagnosis,
  type FactSource,
  type LabResult,
  type Medication,
  patientDiagnoses,
  patientLabs,
  patientMedications,
} from '../../projections/entities/queries.ts';
import { findPatient } from '../../projections/patients/queries.ts';
import { ACCESS } from '../auth/access.ts';
import { principalOf } from '../auth/plugin.ts';
import { fhirRead } from '../fhir/audit.ts';
import { searchset } from '../fhir/bundle.ts';
import { toCondition } from '../fhir/condition.ts';
import { type FactKind, parseFactId } from '../fhir/fact-ids.ts';
import { toMedicationStatement } from '../fhir/medication-statement.ts';
import { toObservation } from '../fhir/observation.ts';
import { dateFilter, parseToken, referenceId, valuesOf } from '../fhir/search-params.ts';
import type { CodeableConcept, FhirResource } from '../fhir/types.ts';
import { fhirBase, selfUrl } from '../fhir/urls.ts';
import {
  BundleSchema,
  FactSearchQuery,
  FHIR_ERRORS,
  FhirIdParams,
  FhirReadQuery,
  FhirResourceSchema,
} from './fhir-schemas.ts';

/** A kind of clinical fact read from documents, and the FHIR resource it becomes. */
interface FactView<F extends FactSource> {
  kind: FactKind;
  resourceType: 'Observation' | 'MedicationStatement' | 'Condition';
  what: string;
  facts: (db: Queryable, tenantId: string, patientId: string) => Promise<F[]>;
  toResource: (patientId: string, fact: F) => FhirResource & { code?: CodeableConcept };
}

const LABS: FactView<LabResult> = {
  kind: 'lab',
  resourceType: 'Observation',
  what: 'lab values, category laboratory, LOINC-coded where the test is known',
  facts: (db, tenantId, patientId) => patientLabs(db, tenantId, patientId),
  toResource: toObservation,
};

const MEDICATIONS: FactView<Medication> = {
  kind: 'medication',
  resourceType: 'MedicationStatement',
  what: 'medications as documents list them',
  facts: patientMedications,
  toResource: toMedicationStatement,
};

const DIAGNOSES: FactView<Diagnosis> = {
  kind: 'diagnosis',
  resourceType: 'Condition',
  what: 'diagnoses as documents state them, ICD-10-coded where printed',
  facts: patientDiagnoses,
  toResource: toCondition,
};

/** Whether a resource's code has any of the comma-separated tokens. */
function codeFilter(param: string | undefined) {
  const tokens = param ? param.split(',').map(parseToken) : [];
  return (code: CodeableConcept | undefined) =>
    tokens.length === 0 ||
    tokens.some((token) =>
      (code?.coding ?? []).some(
        (coding) =>
          coding.code === token.code &&
          (token.system === undefined || (coding.system ?? '') === token.system),
      ),
    );
}

/** The lab values, medications and diagnoses of a patient (and those merged into it). */
export const fhirFactRoutes: FastifyPluginAsyncTypebox<{ db: TenantDatabase }> = async (
  app,
  { db },
) => {
  const register = <F extends FactSource>(view: FactView<F>) => {
    app.get(
      `/${view.resourceType}/:id`,
      {
        config: { access: ACCESS.reader, audit: fhirRead },
        schema: {
          summary: `FHIR R4 read: one of a patient's ${view.what}`,
          description: 'The subject is the patient the document belongs to, merges followed.',
          params: FhirIdParams,
          querystring: FhirReadQuery,
          response: { 200: FhirResourceSchema, ...FHIR_ERRORS },
        },
      },
      async (request) => {
        const { tenantId } = principalOf(request);
        const gone = () =>
          notFound('RESOURCE_NOT_FOUND', `no such ${view.resourceType} for this tenant`);
        const named = parseFactId(view.kind, request.params.id);
        if (!named) throw gone();
        const document = await findDocument(db(tenantId), tenantId, named.documentId);
        const patientId = document?.patientMatch?.patientId;
        if (!patientId) throw gone();
        const fact = (await view.facts(db(tenantId), tenantId, patientId)).find(
          (f) => f.documentId === named.documentId && f.ordinal === named.ordinal,
        );
        if (!fact) throw gone();
        return view.toResource(patientId, fact);
      },
    );

    app.get(
      `/${view.resourceType}`,
      {
        config: { access: ACCESS.reader, audit: fhirRead },
        schema: {
          summary: `FHIR R4 search: a patient's ${view.what}`,
          description:
            "Those of the patients merged into it are included. `date` is when the fact was observed (a lab's sample, else the encounter); undated facts match no `date`.",
          querystring: FactSearchQuery,
          response: { 200: BundleSchema, ...FHIR_ERRORS },
        },
      },
      async (request) => {
        const { tenantId } = principalOf(request);
        const { patient: reference, date, code } = request.query;
        const inDates = dateFilter(valuesOf(date));
        const hasCode = codeFilter(code);
        const patient = await findPatient(
          db(tenantId),
          tenantId,
          referenceId(reference, 'Patient'),
        );
        const facts = patient ? await view.facts(db(tenantId), tenantId, patient.id) : [];
        const resources = facts
          .filter((fact) => inDates(fact.observedOn))
          .map((fact) => view.toResource(patient?.id ?? '', fact))
          .filter((resource) => hasCode(resource.code));
        return searchset(fhirBase(request), resources, { self: selfUrl(request) });
      },
    );
  };
  register(LABS);
  register(MEDICATIONS);
  register(DIAGNOSES);
};
