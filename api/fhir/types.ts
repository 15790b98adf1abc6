/** The FHIR R4 types the views produce (DefinitelyTyped's R4 definitions). */
export type {
  Bundle,
  BundleEntry,
  CodeableConcept,
  Coding,
  Condition,
  DocumentReference,
  FhirResource,
  Identifier,
  MedicationStatement,
  Observation,
  OperationOutcome,
  Patient,
  Quantity,
  Reference,
} from 'fhir/r4.js';
