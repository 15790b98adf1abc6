import { describe, expect, it } from 'vitest';
import { parseLabRow } from './labs.ts';
import { assessQuality, PENALTIES } from './quality.ts';

const misread = {
  page: 1,
  start: 0,
  text: 'Bilirrubina total  16H  mg/dL  0.1-1.2',
  pageConfidence: 0.9,
};

const TEXT = 'Paciente: RUIZ ORTIZ, ARACELI   Expediente: 479860';
const span = { page: 1, start: 0, end: 1, confidence: 1 };
const complete = {
  identifiers: [{ kind: 'record-number', value: '479860', span }],
  patientName: { value: 'RUIZ ORTIZ, ARACELI', surnames: null, givenNames: null, span },
  dateOfBirth: { value: '1977-12-01', span },
  labs: [],
};

describe('quality', () => {
  it('is perfect for a clearly read document that names its patient', () => {
    expect(assessQuality([{ page: 1, text: TEXT, confidence: 0.97 }], complete)).toEqual({
      score: 1,
      reasons: [],
    });
  });

  it('says the mean confidence when OCR was unsure, and which page could not be read', () => {
    const { score, reasons } = assessQuality(
      [
        { page: 1, text: TEXT, confidence: 0.75 },
        { page: 2, text: TEXT, confidence: 0.45 },
      ],
      complete,
    );
    expect(reasons).toEqual([
      { code: 'LOW_OCR_CONFIDENCE', detail: expect.stringContaining('0.60'), penalty: 0.3 },
      { code: 'UNREADABLE_PAGE', detail: expect.stringContaining('page 2'), penalty: 0.2 },
    ]);
    expect(score).toBe(0.5);
  });

  it('never goes below zero, and names no patient data in its details', () => {
    const { score, reasons } = assessQuality([{ page: 1, text: 'RUIZ 479860', confidence: 0.1 }], {
      identifiers: [],
      patientName: null,
      dateOfBirth: null,
      labs: [parseLabRow(misread)!],
    });
    expect(reasons.map((reason) => reason.code)).toEqual(Object.keys(PENALTIES));
    expect(score).toBe(0);
    expect(JSON.stringify(reasons)).not.toMatch(/RUIZ|479860/);
  });
});
