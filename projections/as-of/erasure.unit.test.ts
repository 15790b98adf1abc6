import { describe, expect, it } from 'vitest';
import {
  chainOf,
  documentEvent,
  documentUploaded,
  patientRegistered,
  patientsMerged,
} from '../../test/support/events.ts';
import { foldDocument } from './document-state.ts';
import { foldPatients, patientView } from './patient-state.ts';

const erasure = { principal: 'key:0123456789abcdef', reason: 'asked to be forgotten' };

describe('as-of folds of an erasure', () => {
  it('given a document read through the chain, when erased, then nothing of it is known', () => {
    const upload = documentUploaded();
    const chain = chainOf(upload);
    const erased = documentEvent(
      'DocumentErased',
      { ...erasure, patientId: null, destroyedSubjects: [] },
      { tenantId: upload.metadata.tenantId, aggregateId: upload.metadata.aggregateId },
    );
    expect(foldDocument([upload, chain.validated()])).not.toBeNull();
    expect(foldDocument([upload, chain.validated(), erased])).toBeNull();
    // Late events of an erased document bring nothing back.
    expect(foldDocument([upload, erased, chain.textExtracted(['late'])])).toBeNull();
  });

  it('given a patient with another merged into it, when erased, then neither is found', () => {
    const erased = documentEvent(
      'PatientErased',
      { ...erasure, mergedIds: ['ana-2'], documentIds: [], destroyedSubjects: [] },
      { tenantId: 'tenant-a', aggregateId: 'ana' },
    );
    const events = [
      patientRegistered('ana'),
      patientRegistered('ana-2'),
      patientsMerged('ana', 'ana-2'),
    ];
    expect(patientView(foldPatients(events), 'ana-2')).toMatchObject({ id: 'ana' });
    const index = foldPatients([...events, erased]);
    expect(patientView(index, 'ana')).toBeNull();
    expect(patientView(index, 'ana-2')).toBeNull();
  });
});
