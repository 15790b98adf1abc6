import type { DiagnosisEntity } from '../../schemas/events.ts';
import type { Field } from './fields.ts';
import { collapse, type Line, plainKey, spanIn } from './lines.ts';

const CODE = String.raw`[A-TV-Z][0-9OIl][0-9A-Z](?:\.[0-9A-Z]{1,4})?`;
/** A code in brackets or after `CIE-10:`/`ICD-10:`, at the end of the item; or opening it. */
const TRAILING_CODE = new RegExp(
  String.raw`\s*[(\[]?\s*(?:(?:CIE|ICD)[- ]?10\s*:?\s*)?(${CODE})\s*[)\]]?\s*\.?$`,
);
const LEADING_CODE = new RegExp(String.raw`^(${CODE})\s*[-–:]\s*`);
const LIST_MARKER = /^\s*(?:\d{1,2}[.)]|[-•*·])\s*/;

/** The code with OCR's letters in its digit positions read back, when it is a valid shape. */
function icd10Of(printed: string): string | null {
  const code =
    printed[0] + printed.slice(1, 3).replace(/O/g, '0').replace(/[Il]/g, '1') + printed.slice(3);
  return /^[A-TV-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4})?$/.test(code) ? code : null;
}

/** One diagnosis from `from`..`to` of a line: its text and, when printed, its ICD-10 code. */
function diagnosisIn(line: Line, from: number, to: number): DiagnosisEntity | null {
  let start = from;
  let end = to;
  let text = line.text.slice(start, end);
  // `Appendix, appendectomy: Acute appendicitis`: the specimen before the colon is not the finding.
  const specimen = text.lastIndexOf(': ');
  if (specimen >= 0) {
    start += specimen + 2;
    text = line.text.slice(start, end);
  }
  let icd10: string | null = null;
  const trailing = /\(/.test(text) || /(CIE|ICD)/i.test(text) ? TRAILING_CODE.exec(text) : null;
  const leading = LEADING_CODE.exec(text);
  if (trailing?.[1] && icd10Of(trailing[1])) {
    icd10 = icd10Of(trailing[1]);
    end = start + trailing.index;
  } else if (leading?.[1] && icd10Of(leading[1])) {
    icd10 = icd10Of(leading[1]);
    start += leading[0].length;
  }
  while (end > start && /[\s.;,]/.test(line.text[end - 1] ?? '')) end -= 1;
  while (start < end && /\s/.test(line.text[start] ?? '')) start += 1;
  const value = collapse(line.text.slice(start, end));
  if (!/\p{L}{3}/u.test(value)) return null;
  return { text: value, icd10, span: spanIn(line, start, end, icd10 ? 0.9 : 0.8) };
}

/** Items of one field's value: `A (E11.9); B (I10)`. */
function itemsOf(field: Field): DiagnosisEntity[] {
  const items: DiagnosisEntity[] = [];
  let from = field.valueStart;
  for (const part of field.value.split(';')) {
    const item = diagnosisIn(field.line, from, from + part.length);
    if (item) items.push(item);
    from += part.length + 1;
  }
  return items;
}

/**
 * The list under a heading with nothing after its colon: numbered or bulleted lines while they
 * last, or, without a list, the one line that follows (a pathology report's final diagnosis).
 * OCR puts blank lines between a list's items; the next heading ends the list.
 */
function listUnder(lines: readonly Line[], index: number): DiagnosisEntity[] {
  const items: DiagnosisEntity[] = [];
  for (let i = index + 1; i < lines.length; i += 1) {
    const line = lines[i];
    if (!line) break;
    if (!line.text.trim()) continue;
    if (/:\s*$/.test(line.text)) break;
    const marker = LIST_MARKER.exec(line.text);
    if (!marker && items.length > 0) break;
    const item = diagnosisIn(line, marker ? marker[0].length : 0, line.text.length);
    if (item) items.push(item);
    if (!marker) break;
  }
  return items;
}

/** Diagnoses under their labels, each once (an admitting diagnosis is often listed again). */
export function extractDiagnoses(
  fields: readonly Field[],
  lines: readonly Line[],
): DiagnosisEntity[] {
  const found = fields
    .filter((field) => field.kind === 'diagnosis')
    .flatMap((field) =>
      field.value ? itemsOf(field) : listUnder(lines, lines.indexOf(field.line)),
    );
  const seen = new Set<string>();
  return found.filter((diagnosis) => {
    const key = plainKey(diagnosis.text);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
