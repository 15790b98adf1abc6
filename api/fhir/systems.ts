/**
 * The URIs the FHIR views name. Where no official system exists, docstream's own are URNs under
 * `urn:docstream:`; identifiers a tenant's facilities issue are scoped by tenant (and facility):
 * `urn:docstream:<tenant>:record-number:<facility>`, `urn:docstream:<tenant>:mrn:<facility>`.
 */
export const SYSTEMS = {
  loinc: 'http://loinc.org',
  ucum: 'http://unitsofmeasure.org',
  icd10: 'http://hl7.org/fhir/sid/icd-10',
  observationCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
  interpretation: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation',
  conditionCategory: 'http://terminology.hl7.org/CodeSystem/condition-category',
  identifierType: 'http://terminology.hl7.org/CodeSystem/v2-0203',
  /**
   * CURP, Mexico's population registry key: the OID Mexico's health-information CDA guide gives
   * it (`root="2.16.840.1.113883.4.629"`, assigning authority `CURP`).
   */
  curp: 'urn:oid:2.16.840.1.113883.4.629',
  documentType: 'urn:docstream:document-type',
  /** The stable error codes of the API (`PATIENT_NOT_FOUND`, …) in an OperationOutcome. */
  errorCode: 'urn:docstream:error-code',
} as const;

/** Lower case letters, digits and dashes: a facility's name as a URN segment. */
export const slug = (text: string) =>
  text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** The system of an identifier a tenant's facility issues (record numbers, MRNs). */
export function facilitySystem(tenantId: string, kind: string, facility: string | null): string {
  const scoped = `urn:docstream:${slug(tenantId)}:${kind}`;
  const place = facility ? slug(facility) : '';
  return place ? `${scoped}:${place}` : scoped;
}
