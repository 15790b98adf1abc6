import { describe, expect, it } from 'vitest';
import { AUDITED_READS } from './reads.ts';

describe('AUDITED_READS', () => {
  it('takes the documents of a list and the patients they were matched to', () => {
    const payload = {
      items: [
        { id: 'd1', fileName: 'GARCIA.pdf', patientMatch: { patientId: 'p1', status: 'matched' } },
        { id: 'd2', fileName: 'x.pdf', patientMatch: null },
        { id: 'd3', patientMatch: { patientId: 'p1' } },
      ],
      nextCursor: null,
    };
    expect(AUDITED_READS.documentList(payload)).toEqual({
      documentIds: ['d1', 'd2', 'd3'],
      patientIds: ['p1'],
      resultCount: 3,
    });
  });

  it('takes a patient and the documents shown with it', () => {
    const payload = { id: 'p1', name: 'ANA GARCIA', documents: [{ id: 'd1' }, { id: 'd2' }] };
    expect(AUDITED_READS.patient(payload)).toEqual({
      documentIds: ['d1', 'd2'],
      patientIds: ['p1'],
      resultCount: 1,
    });
  });

  it("takes a patient's facts with the documents they come from, once each", () => {
    const payload = {
      patientId: 'p1',
      labs: [
        { documentId: 'd1', test: 'HbA1c' },
        { documentId: 'd1', test: 'LDL' },
        { documentId: 'd2', test: 'LDL' },
      ],
    };
    expect(AUDITED_READS.labs(payload)).toEqual({
      documentIds: ['d1', 'd2'],
      patientIds: ['p1'],
      resultCount: 3,
    });
  });

  it('takes the patients a review shows: the one assigned and the candidates', () => {
    const payload = {
      items: [
        { id: 'r1', documentId: 'd1', patientId: null, candidates: [{ patientId: 'p2' }] },
        { id: 'r2', documentId: 'd2', patientId: 'p3', candidates: [{ patientId: 'p2' }] },
      ],
    };
    expect(AUDITED_READS.reviewList(payload)).toEqual({
      documentIds: ['d1', 'd2'],
      patientIds: ['p2', 'p3'],
      resultCount: 2,
    });
  });

  it('takes the document of a page image from the path, its payload being bytes', () => {
    const params = { id: 'd1', page: 2 };
    expect(AUDITED_READS.pageImage(Buffer.from('\x89PNG'), params)).toEqual({
      documentIds: ['d1'],
      patientIds: [],
      resultCount: 1,
    });
  });

  it('finds nothing in a payload of another shape rather than throwing', () => {
    for (const read of Object.values(AUDITED_READS)) {
      expect(read(null).documentIds).toEqual([]);
      expect(read({ items: 'x' }).patientIds).toEqual([]);
    }
  });
});
