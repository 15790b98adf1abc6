import type { MedicationEntity } from '../../schemas/events.ts';
import { FREQUENCY, timesPerDay } from './frequency.ts';
import { collapse, type Line, spanIn } from './lines.ts';

/** A drug line: an optional list marker, a name of up to four words, then its strength. */
const DRUG_LINE =
  /^\s*(?:\d{1,2}[.)-]?\s+|[-•*·]\s*)?(?<name>\p{L}[\p{L}\p{M}-]*(?:\s+\p{L}[\p{L}\p{M}-]*){0,3}?)\s+(?<strength>\d+(?:[.,]\d+)?\s*(?:mg\/ml|mg\/5\s?ml|mcg|µg|mg|g|ui|iu|u|units|unidades|ml|%))(?![\p{L}/\d])/iu;

const ROUTE_WORDS =
  /v[ií]a\s+(?:oral|subcut[aá]nea|intravenosa|intramuscular|inhalatoria|t[oó]pica|sublingual|rectal|oft[aá]lmica|nasal|vaginal|cut[aá]nea)|\b(?:by mouth|orally|oral|subcutaneous(?:ly)?|intravenous(?:ly)?|intramuscular(?:ly)?|inhaled|inhalation|topical(?:ly)?|sublingual(?:ly)?|rectal(?:ly)?)\b/i;
/** Abbreviations only in capitals: `po` and `im` are also pieces of ordinary words. */
const ROUTE_CODES = /\b(?:VO|PO|IV|IM|SC|SQ|SL|IH)\b/;
const FORM =
  /\b(?:tabletas?|tabs?|tablets?|c[aá]psulas?|capsules?|grageas?|plumas?|pens?|inhalador|inhaler|ampolletas?|ampoules?|soluci[oó]n|solution|jarabe|syrup|suspensi[oó]n|suspension|gotas|drops|parches?|patch|crema|cream)\b/i;
/** A sig on the line under the drug: indented, or opening with an instruction. */
const SIG_LINE =
  /^\s+\S|^\s*(?:sig|tomar|aplicar|administrar|inyectar|inhalar|take|apply|inject|inhale|use)\b/i;

const firstOf = (text: string, ...patterns: RegExp[]) => {
  const matches = patterns
    .map((pattern) => pattern.exec(text))
    .filter((match): match is RegExpExecArray => match !== null)
    .sort((a, b) => a.index - b.index);
  return matches[0]?.[0] ?? null;
};

function parseDrug(line: Line, next: Line | undefined): MedicationEntity | null {
  const match = DRUG_LINE.exec(line.text);
  const name = match?.groups?.name;
  const strength = match?.groups?.strength;
  if (!match || !name || !strength) return null;
  const rest = line.text.slice(match.index + match[0].length);
  const sig = next && next.page === line.page && SIG_LINE.test(next.text) ? next.text : '';
  const route = firstOf(rest, ROUTE_WORDS, ROUTE_CODES) ?? firstOf(sig, ROUTE_WORDS, ROUTE_CODES);
  // OCR reads the q of `q8h` as g: say it as a prescriber wrote it.
  const frequency =
    (firstOf(rest, FREQUENCY) ?? firstOf(sig, FREQUENCY))?.replace(/^g(?=\s?\d)/, 'q') ?? null;
  if (!route && !frequency && !FORM.test(rest)) return null;
  const start = line.text.indexOf(name, match.index);
  const certainty = route && frequency ? 0.9 : 0.75;
  return {
    name: collapse(name),
    strength: collapse(strength),
    route,
    frequency,
    timesPerDay: frequency ? timesPerDay(frequency) : null,
    span: spanIn(line, start, line.text.trimEnd().length, certainty),
  };
}

/** Drugs with strength, route and frequency, from prescription items and medication lists. */
export function extractMedications(lines: readonly Line[]): MedicationEntity[] {
  return lines
    .map((line, i) => parseDrug(line, lines[i + 1]))
    .filter((medication): medication is MedicationEntity => medication !== null);
}
