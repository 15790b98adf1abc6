import { describe, expect, it } from 'vitest';
import type { PatientEvent } from '../../schemas/events.ts';
import {
  documentEvent,
  patientRegistered,
  patientSubject,
  patientsMerged,
} from '../../test/support/events.ts';
import { until } from './document-state.ts';
import { foldPatients, patientView, survivorOf } from './patient-state.ts';

const at = (minute: number) => Date.parse(`2026-11-30T10:${String(minute).padStart(2, '0')}:00Z`);
const meta = (minute: number) => ({ tenantId: 'tenant-a', occurredAt: at(minute) });

const ana = patientRegistered(
  'ana',
  { subject: patientSubject({ identifiers: [{ kind: 'record-number', value: '1' }] }) },
  meta(0),
);
const anaAgain = patientRegistered(
  'ana-2',
  { subject: patientSubject({ identifiers: [{ kind: 'record-number', value: '2' }] }) },
  meta(1),
);
const merged = patientsMerged('ana', 'ana-2', meta(10));

const foldedAt = (events: PatientEvent[], minute: number) =>
  foldPatients(until(events, new Date(at(minute))));

describe('patients folded up to a time', () => {
  it('given a merge later, when folded before it, then the merged patient is still itself', () => {
    const index = foldedAt([ana, anaAgain, merged], 9);
    expect(patientView(index, 'ana-2')).toMatchObject({
      id: 'ana-2',
      mergedInto: null,
      mergedIds: [],
      identifiers: [{ kind: 'record-number', value: '2', facility: 'Hospital Central' }],
    });
    expect(survivorOf(index, 'ana-2')).toBe('ana-2');
  });

  it('given a merge, when folded after it, then the merged patient answers as the survivor', () => {
    const index = foldedAt([ana, anaAgain, merged], 10);
    expect(patientView(index, 'ana-2')).toMatchObject({
      id: 'ana',
      mergedInto: 'ana',
      mergedIds: ['ana-2'],
    });
    expect(patientView(index, 'ana')).toMatchObject({ id: 'ana', mergedInto: null });
  });

  it('given a chain of merges, when folded, then every merged patient points at the root', () => {
    const third = patientRegistered('ana-3', {}, meta(2));
    const index = foldedAt(
      [ana, anaAgain, third, merged, patientsMerged('ana-3', 'ana', meta(11))],
      59,
    );
    expect(survivorOf(index, 'ana-2')).toBe('ana-3');
    expect(patientView(index, 'ana-3')?.mergedIds).toEqual(['ana', 'ana-2']);
  });

  it('given a registration later, when folded before it, then the patient is unknown', () => {
    expect(patientView(foldedAt([ana, anaAgain], 0), 'ana-2')).toBeNull();
  });

  it('given a linked record, when folded, then its identifiers are added once', () => {
    const linked = documentEvent(
      'PatientRecordLinked',
      {
        documentId: 'doc',
        round: 1,
        subject: patientSubject({
          identifiers: [
            { kind: 'record-number', value: '1' },
            { kind: 'national-id', value: 'X9' },
          ],
        }),
      },
      { aggregateId: 'ana', ...meta(5) },
    );
    expect(patientView(foldedAt([ana, linked], 4), 'ana')?.identifiers).toHaveLength(1);
    expect(patientView(foldedAt([ana, linked], 5), 'ana')?.identifiers).toEqual([
      { kind: 'record-number', value: '1', facility: 'Hospital Central' },
      { kind: 'national-id', value: 'X9', facility: 'Hospital Central' },
    ]);
  });
});
