import { Type } from 'typebox';
import type { Bundle, FhirResource, OperationOutcome } from '../fhir/types.ts';
import { TenantQuery } from './document-schemas.ts';

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

/** FHIR's id: letters, digits, dashes and dots, at most 64. */
export const FhirIdParams = Type.Object({
  id: Type.String({ pattern: '^[A-Za-z0-9.-]{1,64}$' }),
});

const Format = Type.Optional(
  Type.String({ description: 'Accepted and ignored: the answer is always FHIR JSON' }),
);
const Repeated = (description: string) =>
  Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())], { description }));

export const FhirReadQuery = Type.Object({ tenantId: Type.Optional(TenantQuery), _format: Format });

export const PatientSearchQuery = Type.Object({
  tenantId: Type.Optional(TenantQuery),
  identifier: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 300,
      description: '`system|value` or `value`: a CURP, record number or MRN',
    }),
  ),
  name: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'Part of the name, any case or accents',
    }),
  ),
  birthdate: Type.Optional(
    Type.String({ description: 'YYYY, YYYY-MM or YYYY-MM-DD (no prefix): born within it' }),
  ),
  _count: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  _offset: Type.Integer({ minimum: 0, default: 0 }),
  _format: Format,
});

const patient = Type.String({
  minLength: 1,
  maxLength: 200,
  description: '`Patient/<id>` or `<id>`; a merged patient reads as its survivor',
});

export const DocumentSearchQuery = Type.Object({
  tenantId: Type.Optional(TenantQuery),
  patient,
  date: Repeated(
    'When uploaded: a FHIR date with an optional prefix (eq, ge, gt, le, lt, ne, sa, eb); repeat to combine',
  ),
  _format: Format,
});

export const FactSearchQuery = Type.Object({
  tenantId: Type.Optional(TenantQuery),
  patient,
  date: Repeated(
    'A FHIR date with an optional prefix (eq, ge, gt, le, lt, ne, sa, eb); repeat to combine',
  ),
  code: Type.Optional(
    Type.String({
      maxLength: 500,
      description: '`system|code` or `code`, several separated by commas (any of them)',
    }),
  ),
  _format: Format,
});

const resource = <T>(description: string) =>
  Type.Unsafe<T>({ type: 'object', additionalProperties: true, description });

export const FhirResourceSchema = resource<FhirResource>('A FHIR R4 resource');
export const BundleSchema = resource<Bundle>('A FHIR R4 Bundle of type searchset');
export const OutcomeSchema = resource<OperationOutcome>(
  'A FHIR R4 OperationOutcome; the API error code is in issue[0].details.coding',
);

export const FHIR_ERRORS = { 400: OutcomeSchema, 404: OutcomeSchema };
