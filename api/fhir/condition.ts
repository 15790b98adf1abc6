import type { Diagnosis } from '../../projections/entities/queries.ts';
import { factId } from './fact-ids.ts';
import { SYSTEMS } from './systems.ts';
import type { Condition } from './types.ts';

const ENCOUNTER_DIAGNOSIS = {
  coding: [
    {
      system: SYSTEMS.conditionCategory,
      code: 'encounter-diagnosis',
      display: 'Encounter Diagnosis',
    },
  ],
};

/** A diagnosis a document states, coded in ICD-10 when it printed the code. */
export function toCondition(patientId: string, diagnosis: Diagnosis): Condition {
  return {
    resourceType: 'Condition',
    id: factId('diagnosis', diagnosis.documentId, diagnosis.ordinal),
    category: [ENCOUNTER_DIAGNOSIS],
    code: {
      ...(diagnosis.icd10 ? { coding: [{ system: SYSTEMS.icd10, code: diagnosis.icd10 }] } : {}),
      text: diagnosis.text,
    },
    subject: { reference: `Patient/${patientId}` },
    ...(diagnosis.observedOn ? { recordedDate: diagnosis.observedOn } : {}),
    evidence: [{ detail: [{ reference: `DocumentReference/${diagnosis.documentId}` }] }],
  };
}
