/**
 * How a sig says how often, as printed. Interval forms (`cada 8 horas`, `q8h`, `every 12 hours`)
 * and the Latin and plain-language abbreviations of Spanish and US prescriptions.
 */
export const FREQUENCY = new RegExp(
  [
    String.raw`cada\s+\d{1,2}\s*(?:horas|hrs?|h)\b`,
    String.raw`c\/\s?\d{1,2}\s*(?:horas|hrs?|h)\b`,
    String.raw`every\s+\d{1,2}\s*(?:hours|hrs?|h)\b`,
    // OCR reads the q of `q8h` as g.
    String.raw`\b[qg]\s?\d{1,2}\s?h(?:rs?)?\b`,
    String.raw`\b(?:una|dos|tres|cuatro|1|2|3|4)\s+(?:vez|veces)\s+(?:al|por)\s+d[ií]a\b`,
    String.raw`\b(?:once|twice|three times|four times|[1-4]\s*(?:x|times))\s+(?:a\s+|per\s+)?(?:daily|day)\b`,
    String.raw`\b(?:antes de dormir|al acostarse|por la noche|en ayunas|at bedtime|before bed|every morning|every night|daily|diario|diaria|diariamente)\b`,
    String.raw`\b(?:QID|TID|BID|QD|QHS|HS|QAM|QPM|OD|PRN)\b`,
    String.raw`\b(?:as needed|en caso necesario|si es necesario)\b`,
  ].join('|'),
  'i',
);

const WORD_COUNTS: Record<string, number> = {
  una: 1,
  once: 1,
  dos: 2,
  twice: 2,
  tres: 3,
  three: 3,
  cuatro: 4,
  four: 4,
};
// biome-ignore format: a table reads best as one
const FIXED: Record<string, number | null> = {
  qd: 1, od: 1, qam: 1, qpm: 1, qhs: 1, hs: 1, daily: 1, diario: 1, diaria: 1, diariamente: 1,
  bid: 2, tid: 3, qid: 4,
  'antes de dormir': 1, 'al acostarse': 1, 'por la noche': 1, 'en ayunas': 1,
  'at bedtime': 1, 'before bed': 1, 'every morning': 1, 'every night': 1,
  prn: null, 'as needed': null, 'en caso necesario': null, 'si es necesario': null,
};

/**
 * Doses a day a frequency means: an interval of N hours is 24/N when that is whole; "as needed"
 * says no number.
 */
export function timesPerDay(frequency: string): number | null {
  const key = frequency
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
  const hours = /(?:cada|c\/|every|q)\s?(\d{1,2})\s?(?:horas|hours|hrs?|h)\b/.exec(key);
  if (hours) {
    const perDay = 24 / Number(hours[1]);
    return Number.isInteger(perDay) ? perDay : null;
  }
  const times =
    /\b(una|dos|tres|cuatro|once|twice|three|four|[1-4])\b.*\b(?:vez|veces|times|x|daily|day|dia)\b/.exec(
      key,
    ) ??
    /\b(once|twice)\b/.exec(key) ??
    /\b([1-4])\s?x\b/.exec(key);
  if (times?.[1]) return WORD_COUNTS[times[1]] ?? Number(times[1]);
  return FIXED[key] ?? null;
}
