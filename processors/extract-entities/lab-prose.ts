import { NUMBER, UNIT } from './lab-row.ts';

/**
 * Common laboratory analytes, in Spanish and English, as clinicians name them in a note. A
 * sentence names a result with no column to say where the test starts, so in prose only a known
 * analyte is taken for one.
 */
// biome-ignore format: a vocabulary reads best as one
const ANALYTES = [
  'glucosa', 'glucosa en ayuno', 'glucosa central', 'glucosa promedio estimada', 'hemoglobina', 'hemoglobina glucosilada', 'hba1c',
  'hematocrito', 'leucocitos', 'plaquetas', 'eritrocitos', 'neutrófilos', 'linfocitos', 'volumen corpuscular medio', 'vcm',
  'creatinina', 'urea', 'nitrógeno ureico', 'bun', 'ácido úrico', 'sodio', 'potasio', 'cloro', 'calcio', 'fósforo', 'magnesio',
  'colesterol', 'colesterol total', 'colesterol hdl', 'colesterol ldl', 'hdl', 'ldl', 'triglicéridos',
  'bilirrubina total', 'bilirrubina directa', 'bilirrubina indirecta', 'albúmina', 'proteínas totales',
  'alt', 'ast', 'tgo', 'tgp', 'fosfatasa alcalina', 'ggt', 'deshidrogenasa láctica', 'dhl', 'tsh', 't4 libre', 't3',
  'tiroxina libre', 'ferritina', 'hierro sérico', 'vitamina b12', 'ácido fólico', 'pcr', 'proteína c reactiva', 'vsg',
  'inr', 'troponina', 'lactato', 'amilasa', 'lipasa', 'cpk', 'antígeno prostático', 'microalbuminuria',
  'glucose', 'fasting glucose', 'estimated average glucose', 'hemoglobin', 'hemoglobin a1c', 'a1c', 'hematocrit',
  'white blood cells', 'white blood cell count', 'wbc', 'platelets', 'platelet count', 'red blood cells', 'rbc', 'mcv',
  'creatinine', 'urea nitrogen', 'blood urea nitrogen', 'uric acid', 'sodium', 'potassium', 'chloride', 'bicarbonate',
  'calcium', 'phosphorus', 'magnesium', 'cholesterol', 'total cholesterol', 'hdl cholesterol', 'ldl cholesterol',
  'triglycerides', 'total bilirubin', 'direct bilirubin', 'bilirubin', 'albumin', 'total protein', 'alkaline phosphatase',
  'ldh', 'free t4', 'ferritin', 'iron', 'vitamin b12', 'folate', 'crp', 'c-reactive protein', 'esr', 'troponin', 'bnp',
  'lactate', 'amylase', 'lipase', 'psa', 'egfr',
];

const ACCENTED: Record<string, string> = { a: '[aá]', e: '[eé]', i: '[ií]', o: '[oó]', u: '[uúü]' };

/** A name as a pattern that also matches it printed without accents. */
const pattern = (name: string) =>
  name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/[aeiou]/g, (vowel) => ACCENTED[vowel] ?? vowel)
    .replace(/ /g, '\\s+');

const NAMES = [...ANALYTES]
  .sort((a, b) => b.length - a.length)
  .map(pattern)
  .join('|');
const ANALYTE_AT_START = new RegExp(String.raw`^(?:${NAMES})(?![\p{L}\d])`, 'iu');

/** The longest analyte of the vocabulary that `text` starts with, as printed. */
export const analyteAtStart = (text: string): string | null =>
  ANALYTE_AT_START.exec(text)?.[0] ?? null;

/** `glucosa de 164 mg/dL`, `creatinine was 1.32 mg/dL`, `hemoglobina 11,2 g/dL`. */
const IN_PROSE = new RegExp(
  String.raw`(?<![\p{L}\d])(${NAMES})(?:\s+(?:de|del|en|of|was|is|at|=))?\s*:?\s*(${NUMBER})\s*(${UNIT})(?=[\s,;.)]|$)`,
  'giu',
);

export interface ProseResult {
  readonly test: string;
  readonly value: string;
  readonly unit: string;
  readonly start: number;
  readonly end: number;
}

/** Results named in a line's sentences, with where each starts and ends in the line. */
export function proseResults(printed: string): ProseResult[] {
  // OCR reads a word's first `l` as a capital `I`: `colesterol Idl`, `Iactato`, `Iipasa`. No
  // analyte starts with `Id`, `Ia` or `Ii`, and no word of the sentences around them.
  const text = printed.replace(/(?<![\p{L}\d])I(?=[adi]\p{Ll})/gu, 'l');
  return [...text.matchAll(IN_PROSE)].map((match) => {
    // A unit's pattern takes what follows a slash; a sentence's comma or stop is not part of it.
    const unit = (match[3] ?? '').replace(/[.,;]+$/, '');
    const end = match.index + match[0].length - ((match[3] ?? '').length - unit.length);
    const test = (match[1] ?? '').replace(/\s+/g, ' ');
    return { test, value: match[2] ?? '', unit, start: match.index, end };
  });
}
