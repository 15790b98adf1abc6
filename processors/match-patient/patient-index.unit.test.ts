import { describe, expect, it } from 'vitest';
import type { PatientSubject } from '../../schemas/events.ts';
import { patientSubject } from '../../test/support/events.ts';
import { patientOf } from './match.ts';
import { createPatientIndex } from './patient-index.ts';
import { prepareSubject } from './subject.ts';

const subject = (name: string, record: string, dateOfBirth: string): PatientSubject =>
  patientSubject({
    facility: 'Centro Médico del Bajío',
    identifiers: [{ kind: 'record-number', value: record }],
    name,
    surnames: null,
    givenNames: null,
    dateOfBirth,
  });
const patient = (id: string, s: PatientSubject) => patientOf(id, prepareSubject(s));
const byRecord = (record: string) =>
  prepareSubject({ ...subject('', record, ''), name: null, dateOfBirth: null });

describe('patient index', () => {
  it('adds a patient once, whoever tells it first', () => {
    const index = createPatientIndex();
    const ana = patient('ana', subject('PEREZ LOPEZ, ANA', '4471', '1980-03-07'));
    index.register('t', ana, { tentative: true });
    index.register('t', ana);
    index.settle(false);
    expect(index.size('t')).toBe(1);
    expect(index.candidates('t', byRecord('4471'), 10).map((p) => p.id)).toEqual(['ana']);
  });

  it('keeps tenants apart', () => {
    const index = createPatientIndex();
    index.register('t', patient('ana', subject('PEREZ LOPEZ, ANA', '4471', '1980-03-07')));
    expect(index.candidates('u', byRecord('4471'), 10)).toEqual([]);
  });

  it('leads the identifiers, names and dates of a merged patient to the survivor', () => {
    const index = createPatientIndex();
    index.register('t', patient('ana', subject('PEREZ LOPEZ, ANA', '4471', '1980-03-07')));
    index.register('t', patient('anita', subject('PEREZ, ANITA', '9120', '1980-07-03')));
    index.merge('t', 'ana', 'anita');
    expect(index.size('t')).toBe(1);
    expect(index.candidates('t', byRecord('9120'), 10).map((p) => p.id)).toEqual(['ana']);
    const survivor = index.get('t', 'anita');
    expect(survivor?.id).toBe('ana');
    expect(survivor?.births).toEqual(['19800307', '19800703']);
    expect(survivor?.names.map((n) => n.given)).toEqual([['ANA'], ['ANITA']]);
  });

  it('folds a merged patient registered after its merge (another partition) into the survivor', () => {
    const index = createPatientIndex();
    index.register('t', patient('ana', subject('PEREZ LOPEZ, ANA', '4471', '1980-03-07')));
    index.merge('t', 'ana', 'anita');
    index.register('t', patient('anita', subject('PEREZ, ANITA', '9120', '1980-07-03')));
    expect(index.size('t')).toBe(1);
    expect(index.candidates('t', byRecord('9120'), 10).map((p) => p.id)).toEqual(['ana']);
  });
});
