import type { PatientView } from '../../projections/patients/queries.ts';
import { facilitySystem, SYSTEMS } from './systems.ts';
import type { Identifier, Patient } from './types.ts';

type PatientIdentifier = PatientView['identifiers'][number];

const RECORD_NUMBER = {
  coding: [{ system: SYSTEMS.identifierType, code: 'MR', display: 'Medical record number' }],
};

/** An identifier with its system: CURP is national; record numbers and MRNs are a facility's. */
export function identifierOf(tenantId: string, id: PatientIdentifier): Identifier {
  if (id.kind === 'curp') {
    return {
      // No type: R4's identifier-type value set has no national identifier; the system says it.
      use: 'official',
      system: SYSTEMS.curp,
      value: id.value,
    };
  }
  const recordNumber = id.kind === 'record-number' || id.kind === 'mrn';
  return {
    use: 'usual',
    ...(recordNumber ? { type: { ...RECORD_NUMBER, text: id.kind } } : {}),
    system: facilitySystem(tenantId, id.kind, id.facility),
    value: id.value,
    ...(id.facility ? { assigner: { display: id.facility } } : {}),
  };
}

const GENDER: Record<string, Patient['gender']> = { F: 'female', M: 'male' };

/**
 * A patient as registered. One merged into another is inactive and `replaced-by` its survivor
 * (what FHIR asks of a merged record); a survivor `replaces` each patient merged into it.
 */
export function toPatient(tenantId: string, patient: PatientView): Patient {
  const given = patient.givenNames?.split(/\s+/).filter(Boolean) ?? [];
  const named = patient.name || patient.surnames || given.length > 0;
  const gender = patient.sex ? GENDER[patient.sex.toUpperCase()] : undefined;
  const link: Patient['link'] = patient.mergedInto
    ? [{ other: { reference: `Patient/${patient.mergedInto}` }, type: 'replaced-by' }]
    : patient.mergedIds.map((id) => ({ other: { reference: `Patient/${id}` }, type: 'replaces' }));
  return {
    resourceType: 'Patient',
    id: patient.id,
    ...(patient.identifiers.length > 0
      ? { identifier: patient.identifiers.map((id) => identifierOf(tenantId, id)) }
      : {}),
    active: patient.mergedInto === null,
    ...(named
      ? {
          name: [
            {
              use: 'official',
              ...(patient.name ? { text: patient.name } : {}),
              ...(patient.surnames ? { family: patient.surnames } : {}),
              ...(given.length > 0 ? { given } : {}),
            },
          ],
        }
      : {}),
    ...(gender ? { gender } : {}),
    ...(patient.dateOfBirth ? { birthDate: patient.dateOfBirth } : {}),
    ...(link.length > 0 ? { link } : {}),
  };
}
