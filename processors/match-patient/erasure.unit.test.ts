import { describe, expect, it } from 'vitest';
import type { PatientEvent } from '../../schemas/events.ts';
import { documentEvent, patientRegistered, patientsMerged } from '../../test/support/events.ts';
import { applyPatientEvent } from './index-feed.ts';
import { createPatientIndex } from './patient-index.ts';

const erased = (patientId: string, mergedIds: string[] = []) =>
  documentEvent(
    'PatientErased',
    {
      principal: 'key:0123456789abcdef',
      reason: 'asked',
      mergedIds,
      documentIds: [],
      destroyedSubjects: [],
    },
    { tenantId: 'tenant-a', aggregateId: patientId },
  );

describe('the patient index folds erasures', () => {
  it('given a registered patient, when erased, then the index no longer knows it', () => {
    const index = createPatientIndex();
    const events: PatientEvent[] = [patientRegistered('ana'), patientRegistered('luis')];
    for (const event of events) applyPatientEvent(index, event);
    expect(index.size('tenant-a')).toBe(2);
    applyPatientEvent(index, erased('ana'));
    expect(index.get('tenant-a', 'ana')).toBeUndefined();
    expect(index.get('tenant-a', 'luis')).toBeDefined();
    expect(index.size('tenant-a')).toBe(1);
  });

  it('given a patient merged into another, when the survivor is erased, then neither id matches', () => {
    const index = createPatientIndex();
    const events: PatientEvent[] = [
      patientRegistered('ana'),
      patientRegistered('ana-2'),
      patientsMerged('ana', 'ana-2'),
      erased('ana', ['ana-2']),
    ];
    for (const event of events) applyPatientEvent(index, event);
    expect(index.get('tenant-a', 'ana')).toBeUndefined();
    expect(index.get('tenant-a', 'ana-2')).toBeUndefined();
    expect(index.size('tenant-a')).toBe(0);
  });
});
