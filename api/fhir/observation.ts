import type { LabResult } from '../../projections/entities/queries.ts';
import { factId } from './fact-ids.ts';
import { SYSTEMS } from './systems.ts';
import { labCode, quantity } from './terminology.ts';
import type { Observation } from './types.ts';

const LABORATORY = {
  coding: [{ system: SYSTEMS.observationCategory, code: 'laboratory', display: 'Laboratory' }],
};

const INTERPRETATIONS: Record<string, { code: string; display: string }> = {
  H: { code: 'H', display: 'High' },
  L: { code: 'L', display: 'Low' },
};
const NORMAL = { code: 'N', display: 'Normal' };

/** H or L as flagged (printed or computed from the range); N when the range was checked. */
function interpretation(lab: LabResult): Observation['interpretation'] {
  const known = lab.flag ? INTERPRETATIONS[lab.flag] : lab.flagSource ? NORMAL : undefined;
  return known ? [{ coding: [{ system: SYSTEMS.interpretation, ...known }] }] : undefined;
}

function referenceRange(lab: LabResult): Observation['referenceRange'] {
  const { referenceLow: low, referenceHigh: high, referenceRange: text, unit } = lab;
  if (low === null && high === null && !text) return undefined;
  return [
    {
      ...(low !== null ? { low: quantity(low, unit) } : {}),
      ...(high !== null ? { high: quantity(high, unit) } : {}),
      ...(text ? { text } : {}),
    },
  ];
}

/** A lab value read from a document, as a laboratory Observation of the patient. */
export function toObservation(patientId: string, lab: LabResult): Observation {
  const interpreted = interpretation(lab);
  const range = referenceRange(lab);
  return {
    resourceType: 'Observation',
    id: factId('lab', lab.documentId, lab.ordinal),
    status: 'final',
    category: [LABORATORY],
    code: labCode(lab.test),
    subject: { reference: `Patient/${patientId}` },
    ...(lab.observedOn ? { effectiveDateTime: lab.observedOn } : {}),
    valueQuantity: quantity(lab.value, lab.unit),
    ...(interpreted ? { interpretation: interpreted } : {}),
    ...(range ? { referenceRange: range } : {}),
    derivedFrom: [{ reference: `DocumentReference/${lab.documentId}` }],
  };
}
