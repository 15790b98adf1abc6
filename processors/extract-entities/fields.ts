import { dateLabel, type FieldKind, knownLabel } from './labels.ts';
import type { Line } from './lines.ts';
import { trimmed } from './lines.ts';

/** A `label: value` pair printed on a line; offsets are within the line. */
export interface Field {
  readonly kind: FieldKind;
  readonly line: Line;
  readonly value: string;
  readonly valueStart: number;
  readonly valueEnd: number;
}

const MAX_LABEL_WORDS = 5;

interface Label {
  readonly kind: FieldKind;
  readonly start: number;
  readonly colon: number;
}

/**
 * Where the cell holding a colon starts: after the last pipe, tab or wide gap with text on both
 * sides of it (blanks right after the previous colon separate nothing).
 */
function cellStart(text: string, colon: number, floor: number): number {
  let start = floor;
  for (const match of text.slice(floor, colon).matchAll(/\||\t| {2,}/g)) {
    const after = floor + match.index + match[0].length;
    const textBefore = /[^\s|]/.test(text.slice(floor, floor + match.index));
    if (textBefore && /\S/.test(text.slice(after, colon))) start = after;
  }
  return start;
}

/**
 * The label ending at a colon: the longest run of up to five words before it that names a field
 * we know, else the longest that names a date; else what follows the last wide gap (columns),
 * or else the last word. The first label of a cell starts the cell: `Indicación clínica:` is not
 * a `Clínica:` field. After another field's value with no gap between them (OCR eats gaps) the
 * label may start anywhere.
 */
function labelBefore(text: string, colon: number, floor: number): Label {
  const cell = cellStart(text, colon, floor);
  const before = text.slice(cell, colon);
  const words = [...before.matchAll(/\S+/g)].map((match) => cell + match.index);
  const mayStart = (index: number) => index === 0 || (cell === floor && floor > 0);
  for (const kindOf of [knownLabel, dateLabel]) {
    for (let count = Math.min(MAX_LABEL_WORDS, words.length); count >= 1; count -= 1) {
      const index = words.length - count;
      if (!mayStart(index)) continue;
      const start = words[index] ?? cell;
      const kind = kindOf(text.slice(start, colon));
      if (kind) return { kind, start, colon };
    }
  }
  return { kind: 'other', start: words[0] ?? cell, colon };
}

/** Colons that end a label, not those inside a time (`09:30`) or a ratio. */
function labelColons(text: string): number[] {
  const colons: number[] = [];
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] !== ':') continue;
    if (/\d/.test(text[i - 1] ?? '') && /\d/.test(text[i + 1] ?? '')) continue;
    colons.push(i);
  }
  return colons;
}

/**
 * Every `label: value` on a line. Several may share a line, in columns or, once OCR has eaten
 * the wide gaps, one after another: a value ends where the next label starts.
 */
export function fieldsOf(line: Line): Field[] {
  const text = semicolonsAsColons(line.text);
  const colons = labelColons(text);
  if (colons.length === 0) return gapField(line);
  const labels: Label[] = [];
  let floor = 0;
  for (const colon of colons) {
    labels.push(labelBefore(text, colon, floor));
    floor = colon + 1;
  }
  return labels.map((label, i) => {
    const next = labels[i + 1];
    const { from, to } = trimmed(text, label.colon + 1, next ? next.start : text.length);
    return { kind: label.kind, line, value: text.slice(from, to), valueStart: from, valueEnd: to };
  });
}

/** A label of ours, a wide gap and its value, no colon: `DOB           03/14/1961`. */
const GAP_FIELD = /^\s*(\S+(?: \S+){0,4})(?: {2,}|\t)\s*(\S(?:.*\S)?)\s*$/;

function gapField(line: Line): Field[] {
  const match = GAP_FIELD.exec(line.text);
  const kind = match && knownLabel(match[1] ?? '');
  if (!match || !kind) return [];
  const valueStart = line.text.lastIndexOf(match[2] ?? '');
  const valueEnd = valueStart + (match[2]?.length ?? 0);
  return [{ kind, line, value: match[2] ?? '', valueStart, valueEnd }];
}

/**
 * `Birth Date; 07-OCT-1997`: OCR reads a colon as a semicolon now and then. One that ends a label
 * of ours is taken for the colon it was; the text keeps its length, so offsets hold.
 */
function semicolonsAsColons(text: string): string {
  return text.replace(/;/g, (semicolon, at: number) => {
    const words =
      text
        .slice(0, at)
        .split(/\||\t| {2,}/)
        .at(-1)
        ?.trim()
        .split(/\s+/) ?? [];
    for (let count = Math.min(MAX_LABEL_WORDS, words.length); count >= 1; count -= 1) {
      const label = words.slice(-count).join(' ');
      if (knownLabel(label) ?? dateLabel(label)) return ':';
    }
    return semicolon;
  });
}

/**
 * The start of a line up to its first label, gap or pipe: what a label that ended the line
 * before it announced, when a header too wide for the page was wrapped after the label
 * (`Fecha de nac.:` / `18/2/1964 Sexo: Masculino`) or inside its value (`6 de mayo de` / `1991`).
 */
const LEADING_VALUE = /^\s*(\S.*?)(?=\s{2,}|\s*\||\t|\s+\S+(?:\s\S+){0,4}:|$)/;
/** A value cut short: nothing yet, or a date stopped at a `de` or an `of`. */
const CUT_SHORT = /^$|\s(?:de|del|of)$/i;

/** Fields whose value is a line's worth at most; a diagnosis label heads a list of lines. */
const ONE_LINE_KINDS = new Set<FieldKind>([
  'name',
  'surnames',
  'givenNames',
  'record-number',
  'mrn',
  'curp',
  'dateOfBirth',
  'sex',
  'encounterDate',
  'collectionDate',
  'otherDate',
]);

/** The value a field at the end of `line` takes from the start of `next`, if it takes any. */
function continuation(field: Field, next: Line | undefined) {
  if (!next || !ONE_LINE_KINDS.has(field.kind) || !CUT_SHORT.test(field.value)) return null;
  const lead = LEADING_VALUE.exec(next.text);
  const value = lead?.[1];
  if (!lead || !value || /[:;](?!\d)/.test(value)) return null;
  const from = lead[0].length - value.length;
  return { from, to: lead[0].length, value };
}

/**
 * The fields of every line, in reading order. A label ending its line takes its value from the
 * start of the next line, which is then read without it.
 */
export function allFields(lines: readonly Line[]): Field[] {
  const fields: Field[] = [];
  let carried: Line | null = null;
  for (const [i, original] of lines.entries()) {
    const line = carried ?? original;
    carried = null;
    const own = fieldsOf(line);
    const last = own.at(-1);
    const next = lines[i + 1];
    const taken = last ? continuation(last, next) : null;
    if (last && next && taken) {
      own[own.length - 1] = last.value
        ? { ...last, value: `${last.value} ${taken.value}` }
        : { ...last, line: next, value: taken.value, valueStart: taken.from, valueEnd: taken.to };
      const rest = ' '.repeat(taken.to) + next.text.slice(taken.to);
      carried = { ...next, text: rest };
    }
    fields.push(...own);
  }
  return fields;
}
