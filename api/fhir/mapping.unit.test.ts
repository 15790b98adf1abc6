import { describe, expect, it } from 'vitest';
import type { LabResult } from '../../projections/entities/queries.ts';
import type { PatientView } from '../../projections/patients/queries.ts';
import { fhirRead } from './audit.ts';
import { searchset } from './bundle.ts';
import { toCondition } from './condition.ts';
import { factId, parseFactId } from './fact-ids.ts';
import { toMedicationStatement } from './medication-statement.ts';
import { toObservation } from './observation.ts';
import { toPatient } from './patient.ts';
import { documentTypeConcept, labCode, quantity } from './terminology.ts';

const source = {
  documentId: 'd1',
  ordinal: 2,
  observedOn: '2026-03-10',
  span: { page: 1, start: 0, end: 9, confidence: 0.95 },
};
const patient: PatientView = {
  id: 'p1',
  tenantId: 'clinic-a',
  facility: 'Hospital Civil Fray Bartolomé',
  name: 'ANA PEREZ LOPEZ',
  surnames: 'PEREZ LOPEZ',
  givenNames: 'ANA MARIA',
  dateOfBirth: '1971-09-04',
  sex: 'F',
  identifiers: [
    { kind: 'record-number', value: '55120', facility: 'Hospital Civil Fray Bartolomé' },
    { kind: 'curp', value: 'PELA710904MDFRPN09', facility: 'Hospital Civil Fray Bartolomé' },
  ],
  reason: 'match',
  registeredAt: '2026-01-01T00:00:00.000Z',
  registeredByDocument: 'd0',
  mergedInto: null,
  mergedIds: ['p0'],
};
const lab = (over: Partial<LabResult> = {}): LabResult => ({
  ...source,
  test: 'Nitrógeno ureico (BUN)',
  value: 31,
  unit: 'mg/dL',
  referenceRange: '7 - 20',
  referenceLow: 7,
  referenceHigh: 20,
  flag: 'H',
  flagSource: 'computed',
  ...over,
});

describe('FHIR mapping of the read models', () => {
  it('gives a patient its identifiers with their systems, its name, sex and merges', () => {
    const fhir = toPatient('clinic-a', patient);
    expect(fhir).toMatchObject({
      resourceType: 'Patient',
      id: 'p1',
      active: true,
      name: [{ family: 'PEREZ LOPEZ', given: ['ANA', 'MARIA'], text: 'ANA PEREZ LOPEZ' }],
      gender: 'female',
      birthDate: '1971-09-04',
      link: [{ other: { reference: 'Patient/p0' }, type: 'replaces' }],
    });
    expect(fhir.identifier).toEqual([
      expect.objectContaining({
        system: 'urn:docstream:clinic-a:record-number:hospital-civil-fray-bartolome',
        value: '55120',
        assigner: { display: 'Hospital Civil Fray Bartolomé' },
      }),
      expect.objectContaining({ system: 'urn:oid:2.16.840.1.113883.4.629', use: 'official' }),
    ]);
  });

  it('marks a merged patient inactive and replaced by its survivor', () => {
    const merged = toPatient('clinic-a', {
      ...patient,
      id: 'p0',
      sex: null,
      mergedInto: 'p1',
      mergedIds: [],
    });
    expect(merged).toMatchObject({
      active: false,
      link: [{ other: { reference: 'Patient/p1' }, type: 'replaced-by' }],
    });
    expect(merged.gender).toBeUndefined();
  });

  it('codes labs in LOINC by any printed name, units in UCUM, and flags as interpretations', () => {
    const observation = toObservation('p1', lab());
    expect(observation).toMatchObject({
      id: 'd1-lab-2',
      status: 'final',
      code: {
        coding: [{ system: 'http://loinc.org', code: '3094-0' }],
        text: 'Nitrógeno ureico (BUN)',
      },
      effectiveDateTime: '2026-03-10',
      valueQuantity: {
        value: 31,
        unit: 'mg/dL',
        system: 'http://unitsofmeasure.org',
        code: 'mg/dL',
      },
      referenceRange: [{ low: { value: 7 }, high: { value: 20 }, text: '7 - 20' }],
      interpretation: [{ coding: [{ code: 'H', display: 'High' }] }],
      derivedFrom: [{ reference: 'DocumentReference/d1' }],
    });
    expect(labCode('HEMOGLOBINA GLUCOSILADA (HbA1c)').coding?.[0]?.code).toBe('4548-4');
    expect(labCode('Prueba rara').coding).toBeUndefined();
    expect(quantity(11, '10^3/µL')).toMatchObject({ code: '10*3/uL' });
    expect(quantity(2, 'uIU/mL')).toMatchObject({ code: 'u[IU]/mL' });
    expect(quantity(1, 'copias/mL')).toEqual({ value: 1, unit: 'copias/mL' });
    const normal = toObservation('p1', lab({ flag: null, observedOn: null }));
    expect(normal.interpretation?.[0]?.coding?.[0]?.code).toBe('N');
    expect(normal.effectiveDateTime).toBeUndefined();
    const unranged = toObservation(
      'p1',
      lab({
        flag: null,
        flagSource: null,
        referenceRange: null,
        referenceLow: null,
        referenceHigh: null,
      }),
    );
    expect(unranged.interpretation).toBeUndefined();
    expect(unranged.referenceRange).toBeUndefined();
  });

  it('maps medications with their dosage timing, and diagnoses with ICD-10', () => {
    const medication = toMedicationStatement('p1', {
      ...source,
      name: 'Metformina',
      strength: '850 mg',
      route: 'oral',
      frequency: 'cada 12 horas',
      timesPerDay: 2,
    });
    expect(medication).toMatchObject({
      id: 'd1-med-2',
      status: 'unknown',
      medicationCodeableConcept: { text: 'Metformina 850 mg' },
      dosage: [
        {
          text: '850 mg oral cada 12 horas',
          timing: { repeat: { frequency: 2, period: 1, periodUnit: 'd' } },
        },
      ],
    });
    const everyOtherDay = toMedicationStatement('p1', {
      ...source,
      name: 'X',
      strength: null,
      route: null,
      frequency: null,
      timesPerDay: 0.5,
    });
    expect(everyOtherDay.dosage?.[0]?.timing?.repeat).toEqual({
      frequency: 1,
      period: 48,
      periodUnit: 'h',
    });
    expect(
      toCondition('p1', { ...source, text: 'Diabetes mellitus tipo 2', icd10: 'E11.9' }),
    ).toMatchObject({
      id: 'd1-dx-2',
      code: {
        coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'E11.9' }],
        text: 'Diabetes mellitus tipo 2',
      },
      recordedDate: '2026-03-10',
      subject: { reference: 'Patient/p1' },
    });
  });

  it('types documents with LOINC where one fits, always with its own code', () => {
    expect(documentTypeConcept('discharge-summary').coding).toEqual([
      { system: 'http://loinc.org', code: '18842-5', display: 'Discharge summary' },
      { system: 'urn:docstream:document-type', code: 'discharge-summary' },
    ]);
    expect(documentTypeConcept('invoice').coding).toEqual([
      { system: 'urn:docstream:document-type', code: 'invoice' },
    ]);
  });

  it('names facts by document and ordinal, and reads the ids back', () => {
    const id = factId('lab', '0b6f2c9e-1d2a-4c3b-9f00-1a2b3c4d5e6f', 7);
    expect(parseFactId('lab', id)).toEqual({
      documentId: '0b6f2c9e-1d2a-4c3b-9f00-1a2b3c4d5e6f',
      ordinal: 7,
    });
    expect(parseFactId('diagnosis', id)).toBeNull();
  });

  it('bundles search results with full URLs, and audits the patients and documents shown', () => {
    const bundle = searchset('https://api/fhir', [toObservation('p1', lab())], {
      self: 'https://api/fhir/Observation?patient=p1',
    });
    expect(bundle).toMatchObject({
      type: 'searchset',
      total: 1,
      entry: [{ fullUrl: 'https://api/fhir/Observation/d1-lab-2', search: { mode: 'match' } }],
    });
    expect(fhirRead(bundle)).toEqual({ documentIds: ['d1'], patientIds: ['p1'], resultCount: 1 });
    expect(fhirRead(toPatient('clinic-a', patient))).toMatchObject({
      patientIds: ['p1'],
      resultCount: 1,
    });
    expect(fhirRead({ resourceType: 'OperationOutcome', issue: [] }).resultCount).toBe(0);
  });
});
