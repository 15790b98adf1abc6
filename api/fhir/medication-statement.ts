import type { Medication } from '../../projections/entities/queries.ts';
import { factId } from './fact-ids.ts';
import type { MedicationStatement } from './types.ts';

type Timing = NonNullable<NonNullable<MedicationStatement['dosage']>[number]['timing']>;

/** Doses per day as a FHIR repeat: whole numbers per day, else one dose every so many hours. */
function timing(timesPerDay: number | null): Timing | undefined {
  if (timesPerDay === null || timesPerDay <= 0) return undefined;
  if (Number.isInteger(timesPerDay)) {
    return { repeat: { frequency: timesPerDay, period: 1, periodUnit: 'd' } };
  }
  return {
    repeat: { frequency: 1, period: Math.round((24 / timesPerDay) * 100) / 100, periodUnit: 'h' },
  };
}

/**
 * A medication a document lists for the patient. The document says it was listed on that date,
 * not whether it is still taken: the status is `unknown`.
 */
export function toMedicationStatement(patientId: string, med: Medication): MedicationStatement {
  const text = [med.strength, med.route, med.frequency].filter(Boolean).join(' ');
  const repeat = timing(med.timesPerDay);
  const dosage = {
    ...(text ? { text } : {}),
    ...(med.route ? { route: { text: med.route } } : {}),
    ...(repeat ? { timing: repeat } : {}),
  };
  return {
    resourceType: 'MedicationStatement',
    id: factId('medication', med.documentId, med.ordinal),
    status: 'unknown',
    medicationCodeableConcept: {
      text: [med.name, med.strength].filter(Boolean).join(' '),
    },
    subject: { reference: `Patient/${patientId}` },
    ...(med.observedOn ? { effectiveDateTime: med.observedOn } : {}),
    derivedFrom: [{ reference: `DocumentReference/${med.documentId}` }],
    ...(Object.keys(dosage).length > 0 ? { dosage: [dosage] } : {}),
  };
}
