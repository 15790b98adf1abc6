import type { Config } from '../../infra/config.ts';
import type { ScoredCandidate } from './score.ts';

export interface MatchPolicy {
  /** A best score at or above this assigns the document to the patient. */
  readonly autoThreshold: number;
  /** From this score up to the automatic one, a person decides. */
  readonly reviewThreshold: number;
  /** Two candidates both above the automatic threshold, closer than this: a person decides. */
  readonly ambiguityMargin: number;
  /** Most candidates compared per subject from blocking (identifier hits come on top). */
  readonly compareLimit: number;
  /** Candidates a decision shows, best first: the events carry their evidence. */
  readonly shownCandidates: number;
}

export function matchPolicy(
  matching: Config['matching'],
  overrides: Partial<MatchPolicy> = {},
): MatchPolicy {
  return { ...matching, ambiguityMargin: 0.04, compareLimit: 64, shownCandidates: 5, ...overrides };
}

export type MatchDecision =
  | {
      readonly kind: 'matched';
      readonly patientId: string;
      readonly score: number;
      readonly method: 'identifier' | 'probabilistic';
      readonly candidates: ScoredCandidate[];
    }
  | { readonly kind: 'review'; readonly score: number; readonly candidates: ScoredCandidate[] }
  | { readonly kind: 'new'; readonly score: number | null; readonly candidates: ScoredCandidate[] };

/** Below this mean name agreement, with another date of birth, a shared identifier is a typo. */
const CONTRADICTING_NAME = 0.75;

const byScore = (a: ScoredCandidate, b: ScoredCandidate) =>
  b.score - a.score || (a.patientId < b.patientId ? -1 : a.patientId > b.patientId ? 1 : 0);

/**
 * Decides from scored candidates. An identifier shared with exactly one patient assigns, unless
 * that patient's name and date of birth both clearly disagree (a data-entry error). Otherwise
 * the best score decides, except that a name without a date of birth never assigns on its own
 * (namesakes are common), and two strong candidates close together go to a person.
 */
export function decideMatch(
  scored: readonly ScoredCandidate[],
  policy: MatchPolicy,
): MatchDecision {
  const identified = scored
    .filter((c) => c.identifierAgrees && !contradicts(c))
    .map((c) => ({ ...c, score: 1 }));
  const others =
    identified.length === 0
      ? scored.slice()
      : scored.filter((c) => !identified.some((i) => i.patientId === c.patientId));
  const ranked = [...identified, ...others.sort(byScore)];
  const [best, second] = ranked;
  const candidates = ranked.slice(0, policy.shownCandidates);
  if (identified.length === 1 && best) {
    return {
      kind: 'matched',
      patientId: best.patientId,
      score: 1,
      method: 'identifier',
      candidates,
    };
  }
  if (identified.length > 1 || scored.some(contradicts)) {
    return { kind: 'review', score: best?.score ?? 0, candidates };
  }
  if (!best || best.score < policy.reviewThreshold) {
    return { kind: 'new', score: best?.score ?? null, candidates };
  }
  const ambiguous =
    second !== undefined &&
    second.score >= policy.autoThreshold &&
    best.score - second.score < policy.ambiguityMargin;
  if (best.score >= policy.autoThreshold && best.birthAgrees && !ambiguous) {
    const { patientId, score } = best;
    return { kind: 'matched', patientId, score, method: 'probabilistic', candidates };
  }
  return { kind: 'review', score: best.score, candidates };
}

/**
 * Of rated candidates, those that can be among the first `shownCandidates` of `decideMatch`'s: every one
 * sharing an identifier (the decision weighs them apart), and of the others those scoring at least
 * the `shownCandidates`-th best; the rest need no evidence written.
 */
export function mayBeShown<T extends { score: number; identifierAgrees: boolean }>(
  rated: T[],
  shownCandidates: number,
): T[] {
  // The decision itself weighs the best two.
  const shown = Math.max(2, shownCandidates);
  const scores = rated.filter((r) => !r.identifierAgrees).map((r) => r.score);
  if (scores.length <= shown) return rated;
  const least = scores.sort((a, b) => b - a)[shown - 1] as number;
  return rated.filter((r) => r.identifierAgrees || r.score >= least);
}

function contradicts(candidate: ScoredCandidate): boolean {
  return (
    candidate.identifierAgrees &&
    candidate.birthDiffers &&
    candidate.nameAgreement !== null &&
    candidate.nameAgreement < CONTRADICTING_NAME
  );
}
