import type { MatchCandidate } from '../../schemas/events.ts';
import type { Draft, Processor } from '../runtime/processor.ts';
import { processorVersion } from '../versions.ts';
import { matchSubject, patientOf } from './match.ts';
import type { PatientIndex } from './patient-index.ts';
import type { MatchPolicy } from './policy.ts';
import type { ScoredCandidate } from './score.ts';
import { type SubjectIdentifier, subjectOf } from './subject.ts';

export { createPatientIndex, type PatientIndex } from './patient-index.ts';
export { type MatchPolicy, matchPolicy } from './policy.ts';

const sameIdentifier = (a: SubjectIdentifier, b: SubjectIdentifier) =>
  a.scheme === b.scheme && a.facility === b.facility && a.value === b.value;

/** The candidates a decision shows (`MatchPolicy.shownCandidates`, best first), as events carry them. */
const inEvent = (candidates: readonly ScoredCandidate[]): MatchCandidate[] =>
  candidates.map(({ patientId, score, evidence }) => ({ patientId, score, evidence }));

/**
 * Decides who a document's patient is: an existing patient (by identifier or by a probabilistic
 * score), a question for a reviewer, or a new patient. A new patient is held in the index at once
 * as tentative, so the next document of the same person matches it, even in the same chunk.
 */
export function createMatchPatientProcessor(deps: {
  index: PatientIndex;
  policy: MatchPolicy;
  newId: () => string;
}): Processor<'EntitiesExtracted'> {
  return {
    name: 'match-patient',
    version: processorVersion('match-patient'),
    consumes: ['EntitiesExtracted'],
    // No await before the index is updated: decisions of one chunk run one after the other.
    async handle(event) {
      const { tenantId, aggregateId: documentId } = event.metadata;
      const { round } = event.data;
      const subject = subjectOf(event.data);
      const { decision, prepared } = matchSubject(deps.index, tenantId, subject, deps.policy);
      const candidates = inEvent(decision.candidates);
      switch (decision.kind) {
        case 'matched': {
          const { patientId, score, method } = decision;
          const matched: Draft = {
            type: 'PatientMatched',
            data: { round, patientId, score, method, candidates },
          };
          // The index learns it from the log once committed; until then a repeat is harmless.
          const known = deps.index.get(tenantId, patientId)?.identifiers ?? [];
          if (!prepared.identifiers.some((id) => !known.some((k) => sameIdentifier(k, id)))) {
            return [matched];
          }
          const linked: Draft = {
            type: 'PatientRecordLinked',
            aggregateId: patientId,
            data: { documentId, round, subject },
          };
          return [matched, linked];
        }
        case 'review': {
          const data = {
            round,
            reviewId: deps.newId(),
            score: decision.score,
            subject,
            candidates,
          };
          return [{ type: 'PatientMatchReviewRequired', data }];
        }
        case 'new': {
          const patientId = deps.newId();
          deps.index.register(tenantId, patientOf(patientId, prepared), { tentative: true });
          const { score } = decision;
          const registered: Draft = {
            type: 'PatientRegistered',
            aggregateId: patientId,
            data: { documentId, round, score, subject, candidates, reason: 'match' },
          };
          const matched: Draft = {
            type: 'PatientMatched',
            data: { round, patientId, score: score ?? 0, method: 'registered', candidates },
          };
          return [registered, matched];
        }
        default:
          return decision satisfies never;
      }
    },
    settled(committed) {
      deps.index.settle(committed);
    },
  };
}
