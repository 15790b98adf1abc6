import { type FieldKind, kindOfLabel } from './labels.ts';
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
 * The label ending at a colon: the longest run of up to five words before it that names a field
 * we know; else what follows the last wide gap (columns), or else the last word. The first label
 * of a line starts the line or a column: `Indicación clínica:` is not a `Clínica:` field.
 */
function labelBefore(text: string, colon: number, floor: number): Label {
  const before = text.slice(floor, colon);
  const words = [...before.matchAll(/\S+/g)].map((match) => floor + match.index);
  const mayStart = (start: number, index: number) =>
    floor > 0 || index === 0 || /\s{2,}$/.test(text.slice(0, start));
  for (let count = Math.min(MAX_LABEL_WORDS, words.length); count >= 1; count -= 1) {
    const index = words.length - count;
    const start = words[index] ?? floor;
    if (!mayStart(start, index)) continue;
    const kind = kindOfLabel(text.slice(start, colon));
    if (kind) return { kind, start, colon };
  }
  const gap = before.search(/\s{2,}\S+(?:\s\S+)*\s*$/);
  const start = gap >= 0 ? floor + gap : (words[words.length - 1] ?? floor);
  return { kind: 'other', start, colon };
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
  const { text } = line;
  const labels: Label[] = [];
  let floor = 0;
  for (const colon of labelColons(text)) {
    labels.push(labelBefore(text, colon, floor));
    floor = colon + 1;
  }
  return labels.map((label, i) => {
    const next = labels[i + 1];
    const { from, to } = trimmed(text, label.colon + 1, next ? next.start : text.length);
    return { kind: label.kind, line, value: text.slice(from, to), valueStart: from, valueEnd: to };
  });
}

/** The fields of every line, in reading order. */
export const allFields = (lines: readonly Line[]) => lines.flatMap(fieldsOf);
