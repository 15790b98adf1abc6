import { describe, expect, it } from 'vitest';
import { DOCUMENT_TYPES } from '../../schemas/document-types.ts';
import { CURP_PATTERN, curpCheckDigit } from '../fixtures/corpus/curp.ts';
import {
  formatDate,
  generateCorpus,
  LANGUAGES,
  parsePrintedDate,
  renderTruthJson,
  type SyntheticDocument,
} from '../fixtures/corpus.ts';

const corpus = generateCorpus({ perTypeAndLanguage: 6 });
const textOf = (document: SyntheticDocument) => document.lines.join('\n');
const printedDates = (document: SyntheticDocument) =>
  textOf(document).match(/\b\d{2}\/\d{2}\/\d{4}\b/g) ?? [];

describe('synthetic corpus', () => {
  it('is the same for the same seed and differs for another', () => {
    const again = generateCorpus({ perTypeAndLanguage: 6 });
    expect(again).toEqual(corpus);
    const other = generateCorpus({ seed: 99, perTypeAndLanguage: 6 });
    expect(other.map(textOf)).not.toEqual(corpus.map(textOf));
  });

  it('keeps the first documents unchanged when more are asked for', () => {
    const small = generateCorpus({ perTypeAndLanguage: 2 });
    const byId = new Map(corpus.map((document) => [document.id, document]));
    for (const document of small) expect(byId.get(document.id)).toEqual(document);
  });

  it('holds every document type in both languages, under unique ids', () => {
    const pairs = new Set(
      corpus.map((document) => `${document.documentType}/${document.language}`),
    );
    for (const type of DOCUMENT_TYPES) {
      for (const language of LANGUAGES) expect(pairs).toContain(`${type}/${language}`);
    }
    expect(new Set(corpus.map((document) => document.id)).size).toBe(corpus.length);
  });

  it('fits a page a standard PDF font can draw', () => {
    for (const document of corpus) {
      expect(document.lines[0]).toBe(document.title);
      expect(document.lines.length).toBeLessThanOrEqual(40);
      for (const line of document.lines) {
        expect(line.length, line).toBeLessThanOrEqual(90);
        expect(/^[\u0020-\u007e\u00a0-\u00ff]*$/.test(line), line).toBe(true);
      }
    }
  });

  it('prints every date in the document format, the birth and encounter dates among them', () => {
    for (const { truth, ...document } of corpus) {
      const dates = printedDates({ ...document, truth });
      expect(dates.map((date) => parsePrintedDate(date, truth.dateFormat))).not.toContain(null);
      expect(dates).toContain(formatDate(truth.patient.dateOfBirth, truth.dateFormat));
      expect(dates).toContain(formatDate(truth.encounterDate, truth.dateFormat));
    }
  });

  it('prints dates whose order a reader could get wrong: day-first is not month-first', () => {
    const swapped = (format: 'DMY' | 'MDY') => (format === 'DMY' ? 'MDY' : 'DMY');
    const misread = corpus.filter((document) =>
      printedDates(document).some((date) => {
        const other = parsePrintedDate(date, swapped(document.truth.dateFormat));
        return other !== parsePrintedDate(date, document.truth.dateFormat);
      }),
    );
    expect(misread.length).toBeGreaterThan(corpus.length / 2);
  });

  it('gives Mexican patients a well-formed CURP matching their birth date and sex', () => {
    const curps = corpus.filter((document) => document.truth.patient.curp !== null);
    expect(curps.length).toBeGreaterThan(0);
    for (const { truth } of curps) {
      const curp = truth.patient.curp!;
      expect(curp).toMatch(CURP_PATTERN);
      expect(curp.slice(17)).toBe(curpCheckDigit(curp.slice(0, 17)));
      expect(curp.slice(4, 10)).toBe(truth.patient.dateOfBirth.replace(/-/g, '').slice(2));
      expect(curp[10]).toBe(truth.patient.sex === 'F' ? 'M' : 'H');
      expect(truth.dateFormat).toBe('DMY');
    }
  });

  it('prints each lab result with the flag its range implies', () => {
    const labs = corpus.flatMap((document) =>
      document.truth.labs.map((lab) => ({ lab, text: textOf(document) })),
    );
    expect(labs.length).toBeGreaterThan(0);
    expect(labs.some(({ lab }) => lab.flag === 'H')).toBe(true);
    expect(labs.some(({ lab }) => lab.flag === 'L')).toBe(true);
    for (const { lab, text } of labs) {
      const row = text.split('\n').find((line) => line.slice(0, 38).trimEnd() === lab.test);
      expect(row, lab.test).toBeDefined();
      expect(row).toContain(lab.unit);
      if (lab.range) expect(row!.endsWith(lab.range)).toBe(true);
      const [low, high] = (lab.range?.match(/[\d.]+/g) ?? []).map(Number);
      if (lab.flag === 'H')
        expect(lab.value).toBeGreaterThan(lab.range!.startsWith('<') ? low! : high!);
      if (lab.flag === 'L') expect(lab.value).toBeLessThan(low!);
    }
  });

  it('prints the medications and diagnoses its truth lists', () => {
    for (const document of corpus) {
      const text = textOf(document);
      for (const medication of document.truth.medications) {
        expect(text).toContain(`${medication.name} ${medication.strength}`);
        expect(text).toContain(medication.frequency);
      }
      for (const diagnosis of document.truth.diagnoses) {
        expect(text).toContain(diagnosis.text);
        if (diagnosis.icd10) expect(text).toContain(diagnosis.icd10);
      }
    }
  });

  it('renders its truth as JSON that reads back the same', () => {
    const [document] = corpus;
    const json = JSON.parse(renderTruthJson(document!));
    expect(json).toMatchObject({ id: document!.id, ...document!.truth });
  });
});
