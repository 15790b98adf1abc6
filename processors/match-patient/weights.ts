import type { DateRelation } from './dates.ts';

/**
 * Fellegi–Sunter: each field adds log2(m/u), m the chance it agrees this way when the records are
 * one person, u when they are two; a missing field adds nothing. The sum plus the prior log-odds
 * that a blocked candidate is the person gives the posterior log-odds, turned into a 0..1 score by
 * the logistic in base 2. The weights are rounded from rates typical of hospital registries (a
 * surname agrees by chance with about 1 in 30 people, a date of birth with 1 in 20,000; a real
 * match keeps its date 90% of the time, swaps day and month in a few percent) and checked against
 * the accuracy set in accuracy.unit.test.ts: every field of a name and a date agreeing scores
 * above 0.99, the same name with another date of birth scores below 0.3.
 */
export const WEIGHTS = {
  paternalSurname: { agree: 5, disagree: -5, agreeFrom: 0.93, disagreeUpTo: 0.75 },
  maternalSurname: { agree: 4, disagree: -3, agreeFrom: 0.93, disagreeUpTo: 0.75 },
  // Twins share surnames and date of birth: only a close given name may count for much.
  givenNames: { agree: 5, disagree: -6, agreeFrom: 0.94, disagreeUpTo: 0.88 },
  sex: { agree: 0.5, disagree: -4 },
  /** Another record number in the same facility: usually another person, sometimes a re-issue. */
  recordNumberDiffers: -3,
  /** Another CURP: another person, unless one of them was mistyped. */
  curpDiffers: -6,
  prior: -8,
} as const;

export const DATE_WEIGHTS: Record<DateRelation, number> = {
  exact: 7,
  'day-month-swapped': 4,
  'one-digit': 3,
  'year-off-by-one': 3,
  different: -8,
};

export const DATE_AGREEMENT: Record<DateRelation, number> = {
  exact: 1,
  'day-month-swapped': 0.8,
  'one-digit': 0.7,
  'year-off-by-one': 0.7,
  different: 0,
};

export interface NameWeights {
  readonly agree: number;
  readonly disagree: number;
  /** Agreement at or above this counts in full; at or below `disagreeUpTo`, as disagreement. */
  readonly agreeFrom: number;
  readonly disagreeUpTo: number;
}

/** A name part's weight for a 0..1 agreement, linear between disagreeing and agreeing. */
export function nameWeight(agreement: number, weights: NameWeights) {
  if (agreement >= weights.agreeFrom) return weights.agree;
  if (agreement <= weights.disagreeUpTo) return weights.disagree;
  const share = (agreement - weights.disagreeUpTo) / (weights.agreeFrom - weights.disagreeUpTo);
  return weights.disagree + share * (weights.agree - weights.disagree);
}

/** The posterior probability of a match for a sum of field weights. */
export const posterior = (weightSum: number) => 1 / (1 + 2 ** -(weightSum + WEIGHTS.prior));
