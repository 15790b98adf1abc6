import type { IdentifierEntity } from '../../schemas/events.ts';
import { validCurp } from './curp.ts';
import type { Field } from './fields.ts';
import { type Line, spanIn } from './lines.ts';

const ID_TOKEN = /[A-Z0-9][A-Z0-9-]*[A-Z0-9]|[0-9]/i;

/** A record number; in an all-digit one, OCR's letter-for-digit slips are read back. */
function recordValue(token: string): string | null {
  const upper = token.toUpperCase();
  if (!/[0-9]/.test(upper)) return null;
  if (!/^[0-9OQDIL]+$/.test(upper)) return upper;
  return upper.replace(/[OQD]/g, '0').replace(/[IL]/g, '1');
}

function fromField(field: Field): IdentifierEntity | null {
  const kind = field.kind;
  if (kind !== 'record-number' && kind !== 'mrn' && kind !== 'curp') return null;
  const match = ID_TOKEN.exec(field.value);
  if (!match) return null;
  const from = field.valueStart + match.index;
  const span = spanIn(field.line, from, from + match[0].length, kind === 'curp' ? 0.98 : 0.95);
  const value = kind === 'curp' ? validCurp(match[0]) : recordValue(match[0]);
  return value ? { kind, value, span } : null;
}

/** 18 characters standing alone: a CURP printed without its label. */
const CURP_CANDIDATE = /(?<![A-Z0-9])[A-Z0-9]{18}(?![A-Z0-9])/gi;

function unlabelledCurps(line: Line): IdentifierEntity[] {
  return [...line.text.matchAll(CURP_CANDIDATE)].flatMap((match) => {
    const value = validCurp(match[0]);
    if (!value) return [];
    const span = spanIn(line, match.index, match.index + 18, 0.9);
    return [{ kind: 'curp', value, span }];
  });
}

/** Record numbers, MRNs and CURPs, each value once, labelled ones first. */
export function extractIdentifiers(
  fields: readonly Field[],
  lines: readonly Line[],
): IdentifierEntity[] {
  const found = [
    ...fields.map(fromField).filter((id): id is IdentifierEntity => id !== null),
    ...lines.flatMap(unlabelledCurps),
  ];
  const seen = new Set<string>();
  return found.filter(({ kind, value }) => {
    const key = `${kind}:${value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
