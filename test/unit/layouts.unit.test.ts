import { describe, expect, it } from 'vitest';
import {
  generateLayoutCorpus,
  LAYOUT_HELD_OUT_SEED,
  LAYOUT_TUNING_SEED,
  type LayoutDocument,
  VARIATION_IDS,
} from '../fixtures/layouts.ts';

const corpus = generateLayoutCorpus(LAYOUT_TUNING_SEED, 60);
const textOf = (document: LayoutDocument) => document.lines.join('\n');
const plain = (text: string) =>
  text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();

describe('layout-variety corpus', () => {
  it('is the same for the same seed, differs for another, and grows without changing', () => {
    expect(generateLayoutCorpus(LAYOUT_TUNING_SEED, 60)).toEqual(corpus);
    const heldOut = generateLayoutCorpus(LAYOUT_HELD_OUT_SEED, 60);
    expect(heldOut.map(textOf)).not.toEqual(corpus.map(textOf));
    expect(generateLayoutCorpus(LAYOUT_TUNING_SEED, 10)).toEqual(corpus.slice(0, 10));
  });

  it('writes Spanish and English documents, each recording variations of the list', () => {
    expect(new Set(corpus.map((document) => document.language))).toEqual(new Set(['spa', 'eng']));
    for (const document of corpus) {
      expect(document.variations.length).toBeGreaterThan(3);
      for (const id of document.variations) expect(VARIATION_IDS).toContain(id);
    }
  });

  it('prints what its truth says: identifiers, every lab test and value', () => {
    for (const document of corpus) {
      const text = textOf(document);
      const { patient, labs } = document.truth;
      expect(text).toContain(document.language === 'spa' ? patient.recordNumber : patient.mrn);
      if (patient.curp) expect(text).toContain(patient.curp);
      for (const lab of labs) {
        expect(plain(text), document.id).toContain(plain(lab.test));
        const printed = new RegExp(`(?<![\\d.,])${String(lab.value).replace('.', '[.,]')}`);
        expect(text, `${document.id} ${lab.test}`).toMatch(printed);
      }
    }
  });

  it('flags a lab with a printed range by where its value falls, and prose labs not at all', () => {
    const number = (text: string) => Number(text.replace(',', '.'));
    const flagBy = (value: number, range: string) => {
      const [low, high] = range.startsWith('<')
        ? [null, number(range.slice(1))]
        : range.startsWith('>')
          ? [number(range.slice(1)), null]
          : range.split(/ - |-| a | to /).map(number);
      if (high != null && value > high) return 'H';
      if (low != null && value < low) return 'L';
      return null;
    };
    let ranged = 0;
    for (const document of corpus) {
      for (const lab of document.truth.labs) {
        if (lab.range) {
          ranged += 1;
          expect(lab.flag, `${document.id} ${lab.test}`).toBe(flagBy(lab.value, lab.range));
        }
        if (lab.test === lab.test.toLowerCase() && lab.range === null) expect(lab.flag).toBeNull();
      }
    }
    expect(ranged).toBeGreaterThan(100);
  });
});
