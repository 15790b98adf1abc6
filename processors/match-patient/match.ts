import type { PatientSubject } from '../../schemas/events.ts';
import type { PatientIndex } from './patient-index.ts';
import { decideMatch, type MatchDecision, type MatchPolicy } from './policy.ts';
import type { PatientView } from './score.ts';
import { isIdentifiable, type PreparedSubject, prepareSubject } from './subject.ts';

/** Compares a subject with the tenant's patients that blocking proposes, and decides. */
export function matchSubject(
  index: PatientIndex,
  tenantId: string,
  subject: PatientSubject,
  policy: MatchPolicy,
): { decision: MatchDecision; prepared: PreparedSubject } {
  const prepared = prepareSubject(subject);
  if (!isIdentifiable(prepared)) {
    return { decision: { kind: 'review', score: 0, candidates: [] }, prepared };
  }
  const scored = index.score(tenantId, prepared, policy.compareLimit, policy.shownCandidates);
  return { decision: decideMatch(scored, policy), prepared };
}

/** The patient a subject becomes when nobody in the index is close enough. */
export const patientOf = (id: string, subject: PreparedSubject): PatientView => ({
  id,
  identifiers: subject.identifiers,
  names: subject.names,
  births: subject.birth ? [subject.birth] : [],
  sex: subject.sex,
});
