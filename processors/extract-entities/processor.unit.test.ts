import { describe, expect, it } from 'vitest';
import { isRetriable } from '../../infra/errors.ts';
import type { EntitiesExtracted, Span, TextExtracted } from '../../schemas/events.ts';
import { documentEvent } from '../../test/support/events.ts';
import { memoryBlobs } from '../../test/support/memory-blobs.ts';
import { processorSpec } from '../../test/support/processor-spec.ts';
import { processorVersion } from '../versions.ts';
import { createExtractEntitiesProcessor } from './processor.ts';

const SPANISH = [
  'RESUMEN DE EGRESO',
  'Hospital Civil Fray Bartolomé',
  'Av. Hospital 278, Guadalajara, Jal.',
  'Paciente: RUIZ ORTIZ, ARACELI',
  'Expediente: 479860   CURP: RUOA771201MNLZRR58',
  'Fecha de nacimiento: 01/12/1977   Edad: 45 años   Sexo: Femenino',
  'Fecha de egreso: 3 de noviembre de 2023',
  'Fecha de ingreso: 29/10/2023   Días de estancia: 5',
  'Diagnósticos de egreso:',
  '1. Diabetes mellitus tipo 2 sin complicaciones (E11.9)',
  'Signos vitales al egreso: TA 154/97 mmHg, FC 98 lpm, Temp 37.0 °C',
  'Tratamiento al egreso:',
  '- Metoprolol 50 mg vía oral cada 8 horas',
  'Dr. Tomás Echeverría Luna   Céd. Prof. 8362961',
].join('\n');

const ENGLISH_PAGE_2 = [
  'LABORATORY REPORT (continued)',
  'Test                                    Result    Units     Reference range',
  'Glucose                                   131 H  mg/dL     70 - 99',
  'HDL cholesterol                            34    mg/dL     > 40',
].join('\n');
const ENGLISH = [
  'LABORATORY REPORT',
  'Riverside General Hospital',
  'Patient: Linda Marie Williams   MRN: 00639632',
  'DOB: 05/31/1974   Age: 49   Sex: F',
  'Collected: 02/06/2024',
  'Order #: 36-835820   Ordering physician: David Chen, MD',
].join('\n');

const page = (number: number, text: string | null, confidence = 1) => ({
  page: number,
  method: 'ocr' as const,
  confidence,
  charCount: text?.length ?? 0,
  text,
});

function textExtracted(data: Partial<TextExtracted['data']>, tenantId = 'tenant-a') {
  return documentEvent(
    'TextExtracted',
    {
      round: 2,
      method: 'ocr',
      language: 'spa',
      confidence: 0.9,
      charCount: 0,
      pages: [],
      textRef: null,
      hint: null,
      ...data,
    },
    { tenantId },
  );
}

/** What a span points at in the pages it was read from. */
const printedAt = (pages: Record<number, string>, span: Span) =>
  pages[span.page]?.slice(span.start, span.end);

describe('extract-entities', () => {
  const blobs = memoryBlobs();
  const processor = createExtractEntitiesProcessor({ blobs });
  const spec = processorSpec(processor);

  it('is the extract-entities processor, reading extracted text', () => {
    expect(processor).toMatchObject({
      name: 'extract-entities',
      version: processorVersion('extract-entities'),
    });
    expect(processor.consumes).toEqual(['TextExtracted']);
  });

  it('reads a Mexican discharge summary, day first, and says the document is complete', async () => {
    const event = textExtracted({ pages: [page(1, SPANISH, 0.92)] });
    const [entities] = await spec.when(event).thenMatches([
      {
        type: 'EntitiesExtracted',
        data: {
          round: 2,
          dateFormat: 'DMY',
          identifiers: [
            { kind: 'record-number', value: '479860' },
            { kind: 'curp', value: 'RUOA771201MNLZRR58' },
          ],
          patientName: {
            value: 'RUIZ ORTIZ, ARACELI',
            surnames: 'RUIZ ORTIZ',
            givenNames: 'ARACELI',
          },
          dateOfBirth: { value: '1977-12-01' },
          sex: { value: 'F' },
          encounterDate: { value: '2023-11-03' },
          collectionDate: null,
          provider: { value: 'Dr. Tomás Echeverría Luna' },
          facility: { value: 'Hospital Civil Fray Bartolomé' },
          labs: [],
          medications: [
            {
              name: 'Metoprolol',
              strength: '50 mg',
              route: 'vía oral',
              frequency: 'cada 8 horas',
              timesPerDay: 3,
            },
          ],
          diagnoses: [{ text: 'Diabetes mellitus tipo 2 sin complicaciones', icd10: 'E11.9' }],
          vitals: [
            { kind: 'bp', value: '154/97', unit: 'mmHg' },
            { kind: 'hr', value: '98', unit: 'bpm' },
            { kind: 'temp', value: '37.0', unit: '°C' },
          ],
        },
      },
      { type: 'QualityAssessed', data: { round: 2, score: 1, reasons: [] } },
    ]);
    const data = entities!.data as EntitiesExtracted['data'];
    const pages = { 1: SPANISH };
    expect(printedAt(pages, data.dateOfBirth!.span)).toBe('01/12/1977');
    expect(printedAt(pages, data.encounterDate!.span)).toBe('3 de noviembre de 2023');
    expect(printedAt(pages, data.patientName!.span)).toBe('RUIZ ORTIZ, ARACELI');
    expect(data.identifiers.map((id) => printedAt(pages, id.span))).toEqual([
      '479860',
      'RUOA771201MNLZRR58',
    ]);
    expect(printedAt(pages, data.medications[0]!.span)).toBe(
      'Metoprolol 50 mg vía oral cada 8 horas',
    );
    expect(data.patientName!.span.confidence).toBeLessThanOrEqual(0.92);
    expect(data.patientName!.span.confidence).toBeGreaterThan(0.8);
  });

  it('reads a US lab report over two pages, month first, spans in the page they are on', async () => {
    const event = textExtracted({
      language: 'eng',
      pages: [page(2, ENGLISH_PAGE_2), page(1, ENGLISH)],
    });
    const [entities] = await spec.when(event).thenMatches([
      {
        type: 'EntitiesExtracted',
        data: {
          dateFormat: 'MDY',
          identifiers: [{ kind: 'mrn', value: '00639632' }],
          patientName: { value: 'Linda Marie Williams', surnames: null, givenNames: null },
          dateOfBirth: { value: '1974-05-31' },
          encounterDate: { value: '2024-02-06' },
          collectionDate: { value: '2024-02-06' },
          provider: { value: 'David Chen, MD' },
          labs: [
            { test: 'Glucose', value: 131, flag: 'H', flagSource: 'printed', span: { page: 2 } },
            { test: 'HDL cholesterol', value: 34, flag: 'L', flagSource: 'computed' },
          ],
        },
      },
      { type: 'QualityAssessed', data: { score: 1 } },
    ]);
    const data = entities!.data as EntitiesExtracted['data'];
    expect(data.dateFormatBasis).toMatch(/second number above 12/);
    const pages = { 1: ENGLISH, 2: ENGLISH_PAGE_2 };
    expect(printedAt(pages, data.labs[1]!.span)).toBe(
      'HDL cholesterol                            34    mg/dL     > 40',
    );
    expect(printedAt(pages, data.sex!.span)).toBe('F');
  });

  it('reads the pages from the blob of the event tenant when they were too large to carry', async () => {
    blobs.setAt(
      'tenant-b',
      'sha256:text-1',
      JSON.stringify({ pages: [{ page: 1, text: SPANISH }] }),
    );
    const event = textExtracted(
      { pages: [page(1, null, 0.7)], textRef: 'sha256:text-1' },
      'tenant-b',
    );
    const [entities] = await spec.when(event).thenMatches([
      { type: 'EntitiesExtracted', data: { identifiers: [{ value: '479860' }, { kind: 'curp' }] } },
      {
        type: 'QualityAssessed',
        data: { score: 0.7, reasons: [{ code: 'LOW_OCR_CONFIDENCE', penalty: 0.3 }] },
      },
    ]);
    const name = (entities!.data as EntitiesExtracted['data']).patientName!;
    expect(SPANISH.slice(name.span.start, name.span.end)).toBe('RUIZ ORTIZ, ARACELI');
    expect(name.span.confidence).toBeLessThanOrEqual(0.7);
    const elsewhere = textExtracted(
      { pages: [page(1, null)], textRef: 'sha256:text-1' },
      'tenant-a',
    );
    await spec.when(elsewhere).thenThrows((error) => !isRetriable(error));
  });

  it('says why a document cannot be trusted: a blank page and no one to match it to', async () => {
    const event = textExtracted({
      pages: [page(1, 'Signos vitales: TA 120/80 mmHg, FC 70 lpm', 0.95), page(2, '  ~ ', 0.9)],
    });
    const [, quality] = await spec.when(event).thenMatches([
      { type: 'EntitiesExtracted', data: { identifiers: [], patientName: null, vitals: [{}, {}] } },
      { type: 'QualityAssessed', data: { round: 2 } },
    ]);
    const { score, reasons } = quality!.data as {
      score: number;
      reasons: Array<{ code: string; detail: string }>;
    };
    expect(reasons.map((reason) => reason.code)).toEqual([
      'UNREADABLE_PAGE',
      'MISSING_IDENTIFIER',
      'MISSING_PATIENT_NAME',
      'MISSING_DATE_OF_BIRTH',
    ]);
    expect(reasons[0]!.detail).toMatch(/page 2/);
    expect(score).toBe(0.25);
  });
});
