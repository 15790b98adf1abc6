import { describe, expect, it } from 'vitest';
import {
  type PlantedKind,
  type PlantedQuery,
  plantQueries,
  registrationSubject,
  SAME_PERSON_KINDS,
  syntheticPatient,
} from '../../test/fixtures/patients.ts';
import { matchSubject, patientOf } from './match.ts';
import { createPatientIndex } from './patient-index.ts';
import { matchPolicy } from './policy.ts';
import { prepareSubject } from './subject.ts';

const POPULATION = { seed: 20_261_124, size: 5000 };
const PER_KIND = 150;
const TENANT = 'tenant-a';

/**
 * Measured on this set: auto-assign recall 0.987 and new-patient precision 0.991; on four other
 * pairs of seeds recall 0.989–0.996 and precision 0.988–1.000, with no false merge on any. The
 * thresholds sit a little below the worst of those, so that a change of weights costing a few
 * percent fails while one unlucky seed does not. False merges are held at zero.
 */
const MIN_AUTO_RECALL = 0.97;
const MIN_NEW_PRECISION = 0.98;

type Outcome = 'auto-correct' | 'auto-wrong' | 'review' | 'new-correct' | 'new-wrong';

function buildIndex() {
  const index = createPatientIndex();
  const birthsByName = new Map<string, string[]>();
  for (let serial = 0; serial < POPULATION.size; serial++) {
    const patient = syntheticPatient(POPULATION.seed, serial);
    const subject = prepareSubject(registrationSubject(patient));
    index.register(TENANT, patientOf(patient.id, subject));
    const name = `${patient.surnames}, ${patient.givenNames}`;
    birthsByName.set(name, [...(birthsByName.get(name) ?? []), patient.dateOfBirth]);
  }
  return { index, birthsByName };
}

/**
 * A newcomer drawn at random can be a namesake of a patient born one keystroke away: no matcher
 * should call that a new person, so such a query is left out of the count (and reported).
 */
function lookAlike(query: PlantedQuery, birthsByName: Map<string, string[]>): boolean {
  if (query.kind !== 'newcomer' || !query.subject.surnames) return false;
  const births = birthsByName.get(`${query.subject.surnames}, ${query.subject.givenNames}`) ?? [];
  const born = query.subject.dateOfBirth ?? '';
  return births.some((birth) => [...birth].filter((ch, i) => ch !== born[i]).length <= 1);
}

describe('match accuracy on a synthetic population', () => {
  it('never assigns a document to the wrong patient, and assigns most of the right ones', () => {
    const { index, birthsByName } = buildIndex();
    expect(index.size(TENANT)).toBe(POPULATION.size);
    let leftOut = 0;
    const policy = matchPolicy({ autoThreshold: 0.95, reviewThreshold: 0.6 });
    const table = new Map<PlantedKind, Record<Outcome, number>>();
    for (const query of plantQueries(POPULATION, 7, PER_KIND)) {
      if (lookAlike(query, birthsByName)) {
        leftOut++;
        continue;
      }
      const { decision } = matchSubject(index, TENANT, query.subject, policy);
      const outcome: Outcome =
        decision.kind === 'review'
          ? 'review'
          : decision.kind === 'new'
            ? query.patientId === null
              ? 'new-correct'
              : 'new-wrong'
            : decision.patientId === query.patientId
              ? 'auto-correct'
              : 'auto-wrong';
      const row = table.get(query.kind) ?? {
        'auto-correct': 0,
        'auto-wrong': 0,
        review: 0,
        'new-correct': 0,
        'new-wrong': 0,
      };
      row[outcome]++;
      table.set(query.kind, row);
    }
    console.table(Object.fromEntries(table));

    const rows = [...table.entries()];
    const sum = (outcome: Outcome, same: boolean) =>
      rows
        .filter(([kind]) => isSamePerson(kind) === same)
        .reduce((total, [, row]) => total + row[outcome], 0);
    const samePersonQueries = rows
      .filter(([kind]) => isSamePerson(kind))
      .reduce((total, [, row]) => total + Object.values(row).reduce((a, b) => a + b, 0), 0);
    const falseMerges = sum('auto-wrong', true) + sum('auto-wrong', false);
    const recall = sum('auto-correct', true) / samePersonQueries;
    const newCorrect = sum('new-correct', false);
    const newPrecision = newCorrect / (newCorrect + sum('new-wrong', true));
    console.log(
      `false merges ${falseMerges}; auto-assign recall ${recall.toFixed(3)}; ` +
        `new-patient precision ${newPrecision.toFixed(3)}; look-alike newcomers left out ${leftOut}`,
    );

    expect(falseMerges, 'false merge rate must be 0').toBe(0);
    expect(recall).toBeGreaterThanOrEqual(MIN_AUTO_RECALL);
    expect(newPrecision).toBeGreaterThanOrEqual(MIN_NEW_PRECISION);
  });
});

const isSamePerson = (kind: PlantedKind) => (SAME_PERSON_KINDS as readonly string[]).includes(kind);
