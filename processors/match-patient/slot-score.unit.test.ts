import { describe, expect, it } from 'vitest';
import {
  plantQueries,
  registrationSubject,
  syntheticPatient,
} from '../../test/fixtures/patients.ts';
import { blockingKeys, subjectBlockingKeys } from './blocking.ts';
import { relateDateNumbers, relateDates } from './dates.ts';
import { patientOf } from './match.ts';
import { PatientStore } from './patient-store.ts';
import { decideMatch, matchPolicy } from './policy.ts';
import { scoreCandidate } from './score.ts';
import { prepareSubject } from './subject.ts';

const POPULATION = { seed: 91_173, size: 3000 };

describe('scoring a stored patient where it is stored', () => {
  it('gives every candidate the evidence and score scoreCandidate gives its view', () => {
    const store = new PatientStore();
    for (let serial = 0; serial < POPULATION.size; serial++) {
      const patient = syntheticPatient(POPULATION.seed, serial);
      store.add(patientOf(patient.id, prepareSubject(registrationSubject(patient))));
    }
    let compared = 0;
    for (const query of plantQueries(POPULATION, 5, 40)) {
      const subject = prepareSubject(query.subject);
      const expected = store
        .candidates(subject, 64)
        .map((patient) => scoreCandidate(subject, patient));
      expect(store.score(subject, 64)).toEqual(expected);
      compared += expected.length;
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it('writes evidence only for candidates a decision can show, and decides the same', () => {
    // Large enough that most subjects have more candidates than a decision shows.
    const population = { seed: POPULATION.seed, size: 40_000 };
    const store = new PatientStore();
    for (let serial = 0; serial < population.size; serial++) {
      const patient = syntheticPatient(population.seed, serial);
      store.add(patientOf(patient.id, prepareSubject(registrationSubject(patient))));
    }
    const policy = matchPolicy({ autoThreshold: 0.95, reviewThreshold: 0.6 });
    let left = 0;
    for (const query of plantQueries(population, 6, 20)) {
      const subject = prepareSubject(query.subject);
      const all = store.score(subject, 64);
      const shown = store.score(subject, 64, policy.shownCandidates);
      left += all.length - shown.length;
      expect(shown.every((c) => all.some((a) => a.patientId === c.patientId))).toBe(true);
      expect(decideMatch(shown, policy)).toEqual(decideMatch(all, policy));
    }
    expect(left).toBeGreaterThan(1000);
  });
});

describe('choosing candidates by blocking keys', () => {
  it('ranks patients by the keys they share with the subject, then by when they were added', () => {
    const store = new PatientStore();
    const keysOf: string[][] = [];
    for (let serial = 0; serial < POPULATION.size; serial++) {
      const patient = syntheticPatient(POPULATION.seed, serial);
      const view = patientOf(patient.id, prepareSubject(registrationSubject(patient)));
      store.add(view);
      keysOf.push(blockingKeys(view.names, view.births));
    }
    let ranked = 0;
    for (const query of plantQueries(POPULATION, 5, 40)) {
      // Without identifiers, candidates come from blocking alone; no block here passes 4,000.
      const subject = { ...prepareSubject(query.subject), identifiers: [] };
      const wanted = new Set(subjectBlockingKeys(subject));
      const expected = keysOf
        .map((keys, serial) => ({ serial, shared: keys.filter((k) => wanted.has(k)).length }))
        .filter((c) => c.shared > 0)
        .sort((a, b) => b.shared - a.shared || a.serial - b.serial)
        .slice(0, 64)
        .map((c) => syntheticPatient(POPULATION.seed, c.serial).id);
      expect(store.candidates(subject, 64).map((p) => p.id)).toEqual(expected);
      ranked += expected.length;
    }
    expect(ranked).toBeGreaterThan(1000);
  });
});

describe('dates of birth related as numbers', () => {
  const pad = (n: number) => String(n).padStart(8, '0');

  it('relates them as relateDates relates their text', () => {
    const pairs: Array<[number, number]> = [
      [19800307, 19800307],
      [19800307, 19800703],
      [19800303, 19800303],
      [19801207, 19800712],
      [19800313, 19801303],
      [19800307, 19800308],
      [19800307, 19810307],
      [19800307, 19790307],
      [19800307, 19900307],
      [20000101, 19990101],
      [19800307, 19810308],
      [10101, 20101],
    ];
    let seed = 7;
    const next = () => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
      return seed;
    };
    const date = () =>
      19000000 + (next() % 120) * 10_000 + (1 + (next() % 12)) * 100 + (next() % 31) + 1;
    for (let i = 0; i < 5000; i++) {
      const a = date();
      const b = i % 3 === 0 ? a + [1, 10, 100, 10_000, -10_000][next() % 5]! : date();
      pairs.push([a, b]);
    }
    for (const [a, b] of pairs) {
      expect(relateDateNumbers(a, b), `${a} ${b}`).toBe(relateDates(pad(a), pad(b)));
    }
  });
});
