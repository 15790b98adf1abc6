import type { VitalEntity } from '../../schemas/events.ts';
import { type Line, spanIn } from './lines.ts';

type Kind = 'bp' | 'hr' | 'temp' | 'spo2' | 'weight';

const SEP = String.raw`\s*[:=]?\s*`;
const DECIMAL = String.raw`\d{1,3}(?:[.,]\d)?`;

/** Each vital sign: its labels in Spanish and English, then value and unit as charts print them. */
// biome-ignore format: a table reads best as one
const VITALS: ReadonlyArray<readonly [Kind, RegExp]> = [
  ['bp', new RegExp(String.raw`\b(?:TA|T\/A|PA|BP|B\/P|presi[oó]n arterial|tensi[oó]n arterial|blood pressure)${SEP}(\d{2,3}\s*\/\s*\d{2,3})\s*(mm\s?Hg)?`, 'gi')],
  ['hr', new RegExp(String.raw`\b(?:FC|HR|pulso|pulse|frecuencia card[ií]aca|heart rate)${SEP}(\d{2,3})\s*(lpm|bpm|x'|x min|\/min|latidos por minuto)?`, 'gi')],
  ['temp', new RegExp(String.raw`\b(?:temp|temperatura|temperature)\.?${SEP}(${DECIMAL})\s*(°\s?[CF]|º\s?[CF]|grados|[CF]\b)?`, 'gi')],
  ['spo2', new RegExp(String.raw`\b(?:SpO2|SatO2|Sat\s?O2|saturaci[oó]n(?: de ox[ií]geno)?|O2 sat|oxygen saturation)${SEP}(\d{2,3})\s*(%)?`, 'gi')],
  ['weight', new RegExp(String.raw`\b(?:peso|wt|weight)${SEP}(\d{1,3}(?:[.,]\d{1,2})?)\s*(kg|[lI1]bs?|kilos?)?\b`, 'gi')],
];

/** Units as one spelling: `lpm` and `x'` are beats per minute, `kilos` kilograms. */
function unitOf(kind: Kind, printed: string | undefined, value: number): string | null {
  const unit = printed?.replace(/\s+/g, '').toLowerCase();
  switch (kind) {
    case 'bp':
      return 'mmHg';
    case 'hr':
      return 'bpm';
    case 'spo2':
      return '%';
    case 'temp':
      if (unit?.endsWith('f')) return '°F';
      if (unit?.endsWith('c') || unit === 'grados') return '°C';
      // Body temperature in Celsius stays below 45; in Fahrenheit it is above 90.
      return value > 50 ? '°F' : '°C';
    case 'weight':
      // OCR reads the l of `lb` as I or 1.
      if (unit && /^[li1]b/.test(unit)) return 'lb';
      return unit ? 'kg' : null;
  }
}

/** Blood pressure, heart rate, temperature, oxygen saturation and weight, wherever printed. */
export function extractVitals(lines: readonly Line[]): VitalEntity[] {
  return lines.flatMap((line) =>
    VITALS.flatMap(([kind, pattern]) =>
      [...line.text.matchAll(pattern)].flatMap((match): VitalEntity[] => {
        const printed = match[1];
        if (!printed) return [];
        const value = printed.replace(/\s+/g, '').replace(',', '.');
        const unit = unitOf(kind, match[2], Number.parseFloat(value));
        const certainty = match[2] ? 0.95 : 0.75;
        const span = spanIn(line, match.index, match.index + match[0].trimEnd().length, certainty);
        return [{ kind, value, unit, span }];
      }),
    ),
  );
}
