import type { TextEntity } from '../../schemas/events.ts';
import { type DateFormat, firstDate } from './dates.ts';
import type { Field } from './fields.ts';
import { collapse, type Line, plainKey, spanIn, trimmed } from './lines.ts';

function dateIn(field: Field, format: DateFormat, certainty: number): TextEntity | null {
  const date = firstDate(field.value, format);
  if (!date) return null;
  const from = field.valueStart + date.start;
  return {
    value: date.iso,
    span: spanIn(field.line, from, from + date.end - date.start, certainty),
  };
}

/**
 * The encounter's date: the first labelled date that is not a birth, an admission or a next
 * visit (a discharge summary's discharge date, a lab report's collection date, a note's date).
 */
export function extractDates(fields: readonly Field[], format: DateFormat) {
  let encounterDate: TextEntity | null = null;
  let collectionDate: TextEntity | null = null;
  for (const field of fields) {
    if (field.kind === 'collectionDate' && !collectionDate) {
      collectionDate = dateIn(field, format, 0.95);
      encounterDate ??= collectionDate && { ...collectionDate };
    }
    if (field.kind === 'encounterDate' && !encounterDate) {
      encounterDate = dateIn(field, format, 0.9);
    }
  }
  return { encounterDate, collectionDate };
}

const PERSON_NAME =
  /^(?:(?:Dr|Dra|Lic|Enf|Q\.?F\.?B|M\.?C)\.?\s+)?[\p{L}][\p{L}\p{M}'’.\- ]*[\p{L}.](?:,\s*(?:MD|DO|NP|PA-C|PA|RN|MLS|PhD|FNP|APRN|CNM)\b\.?)*/u;

function personIn(line: Line, from: number, to: number, certainty: number): TextEntity | null {
  const text = line.text.slice(from, to);
  const match = PERSON_NAME.exec(text);
  if (!match || match[0].trim().split(/\s+/).length < 2) return null;
  const end = trimmed(line.text, from, from + match[0].length);
  // A sentence's full stop after a surname is not part of it; the dot of `Jr.` or `MD.` is.
  if (/\p{L}{4}\.$/u.test(line.text.slice(end.from, end.to))) end.to -= 1;
  return {
    value: collapse(line.text.slice(end.from, end.to)),
    span: spanIn(line, end.from, end.to, certainty),
  };
}

/** A licence after a signature: cédula profesional in Mexico, NPI in the US. */
const LICENCE =
  /\s(?:C[eé]d(?:ula)?\.?\s*(?:Prof(?:esional)?\.?)?|NPI|Lic\.?\s*No\.?|DEA)\s*:?\s*#?\s*\d{5,}/i;

/**
 * Who ordered or attended: a labelled provider field first, else the signature, the name set
 * before a licence number.
 */
export function extractProvider(
  fields: readonly Field[],
  lines: readonly Line[],
): TextEntity | null {
  for (const field of fields) {
    if (field.kind !== 'provider') continue;
    const provider = personIn(field.line, field.valueStart, field.valueEnd, 0.9);
    if (provider) return provider;
  }
  for (const line of lines) {
    const licence = LICENCE.exec(line.text);
    if (!licence) continue;
    const provider = personIn(line, 0, licence.index, 0.85);
    if (provider) return provider;
  }
  return null;
}

/** Words that name a place of care; an institution or network only when nothing better is. */
const CARE_PLACE =
  /\b(hospital|clinica|clinic|sanatorio|centro medico|medical center|medical centre|policlinica|unidad medica|laboratorio|laboratory)\b/;
const INSTITUTION = /\b(health|salud|instituto|institute|imss|issste)\b/;
/** Lines that name a facility but are not its name: the report's own title, an address. */
const NOT_A_NAME =
  /\b(report|summary|note|resumen|informe|reporte|nota|resultados|results|discharge|egreso)\b|^(av|avenida|calle|blvd|calz|carretera|col)\b|^\d/;

/** How many lines at the top of the first page may carry the letterhead. */
const LETTERHEAD_LINES = 6;

/** The facility: a labelled field, else the letterhead line that names a hospital or clinic. */
export function extractFacility(
  fields: readonly Field[],
  lines: readonly Line[],
): TextEntity | null {
  for (const field of fields) {
    if (field.kind !== 'facility' || !/\p{L}{3}/u.test(field.value)) continue;
    return {
      value: collapse(field.value),
      span: spanIn(field.line, field.valueStart, field.valueEnd, 0.9),
    };
  }
  const top = lines.filter((line) => line.text.trim()).slice(0, LETTERHEAD_LINES);
  for (const words of [CARE_PLACE, INSTITUTION]) {
    for (const line of top) {
      const key = plainKey(line.text);
      if (!words.test(key) || NOT_A_NAME.test(key)) continue;
      const { from, to } = trimmed(line.text, 0, line.text.length);
      return { value: collapse(line.text), span: spanIn(line, from, to, 0.8) };
    }
  }
  return null;
}
