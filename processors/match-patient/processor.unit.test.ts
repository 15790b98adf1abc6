import { beforeEach, describe, expect, it } from 'vitest';
import type { EntitiesExtracted, PatientSubject } from '../../schemas/events.ts';
import { documentEvent } from '../../test/support/events.ts';
import { processorSpec } from '../../test/support/processor-spec.ts';
import type { Draft } from '../runtime/processor.ts';
import { applyPatientEvent } from './index-feed.ts';
import { patientOf } from './match.ts';
import { createMatchPatientProcessor, createPatientIndex, matchPolicy } from './processor.ts';
import { prepareSubject } from './subject.ts';

const TENANT = 'tenant-a';
const SAN_ANGEL = 'Hospital General Regional San Ángel';
const span = { page: 1, start: 0, end: 1, confidence: 1 };
const text = (value: string | null) => (value === null ? null : { value, span });

interface Who {
  name?: string | null;
  surnames?: string | null;
  givenNames?: string | null;
  dateOfBirth?: string | null;
  sex?: 'F' | 'M' | null;
  facility?: string | null;
  identifiers?: ReadonlyArray<{ kind: string; value: string }>;
}

function entitiesExtracted(who: Who, round = 1): EntitiesExtracted {
  const name = who.name ?? null;
  return documentEvent(
    'EntitiesExtracted',
    {
      round,
      dateFormat: 'DMY',
      dateFormatBasis: 'a day above 12 printed first',
      identifiers: (who.identifiers ?? []).map((id) => ({ ...id, span })),
      patientName: name
        ? { value: name, surnames: who.surnames ?? null, givenNames: who.givenNames ?? null, span }
        : null,
      dateOfBirth: text(who.dateOfBirth ?? null),
      sex: text(who.sex ?? null),
      encounterDate: null,
      collectionDate: null,
      provider: null,
      facility: text(who.facility === undefined ? SAN_ANGEL : who.facility),
      labs: [],
      medications: [],
      diagnoses: [],
      vitals: [],
    },
    { tenantId: TENANT, actor: 'extract-entities@1.0.0' },
  );
}

const known = (who: Who): PatientSubject => ({
  facility: who.facility === undefined ? SAN_ANGEL : who.facility,
  identifiers: [...(who.identifiers ?? [])],
  name: who.name ?? null,
  surnames: who.surnames ?? null,
  givenNames: who.givenNames ?? null,
  dateOfBirth: who.dateOfBirth ?? null,
  sex: who.sex ?? null,
});

const ANA = {
  name: 'PEREZ LOPEZ, ANA',
  dateOfBirth: '1980-03-07',
  sex: 'F',
  identifiers: [{ kind: 'record-number', value: '4471' }],
} as const;

describe('match-patient', () => {
  let index = createPatientIndex();
  let serial = 0;
  const newId = () => `id-${++serial}`;
  const policy = matchPolicy({ autoThreshold: 0.95, reviewThreshold: 0.6 });
  let processor = createMatchPatientProcessor({ index, policy, newId });
  const remember = (id: string, who: Who) =>
    index.register(TENANT, patientOf(id, prepareSubject(known(who))));
  const spec = () => processorSpec(processor);
  const matched = (drafts: Draft[]) => drafts[0]?.data as { patientId: string; score: number };
  type Candidates = Array<{ patientId: string; score: number; evidence: unknown[] }>;
  const candidatesOf = (draft: Draft | undefined) =>
    (draft?.data as { candidates?: Candidates } | undefined)?.candidates ?? [];

  beforeEach(() => {
    index = createPatientIndex();
    processor = createMatchPatientProcessor({ index, policy, newId });
    remember('ana', ANA);
  });

  it('is the match-patient processor, reading extracted entities', () => {
    expect(processor).toMatchObject({ name: 'match-patient', version: '1.2.5' });
    expect(processor.consumes).toEqual(['EntitiesExtracted']);
  });

  it('assigns by the record number of the same facility, whatever the name looks like', async () => {
    const event = entitiesExtracted({
      name: 'Ana P. López',
      facility: 'HOSPITAL GENERAL REGIONAL SAN ANGEL',
      identifiers: [{ kind: 'record-number', value: '004471' }],
    });
    const [draft] = await spec()
      .when(event)
      .thenMatches([
        {
          type: 'PatientMatched',
          data: { round: 1, patientId: 'ana', score: 1, method: 'identifier' },
        },
      ]);
    const candidates = candidatesOf(draft);
    expect(candidates[0]?.evidence).toContainEqual(
      expect.objectContaining({ field: 'record-number', agreement: 1 }),
    );
  });

  it('links a record number another facility gave a matched patient, and matches by it later', async () => {
    const elsewhere = {
      ...ANA,
      facility: 'Centro Médico del Bajío',
      identifiers: [{ kind: 'record-number', value: '98120' }],
    };
    const [, linked] = await spec()
      .when(entitiesExtracted(elsewhere))
      .thenMatches([
        { type: 'PatientMatched', data: { patientId: 'ana', method: 'probabilistic' } },
        { type: 'PatientRecordLinked', aggregateId: 'ana', data: { subject: known(elsewhere) } },
      ]);
    // Once the log has the link, that record number alone finds her.
    applyPatientEvent(
      index,
      documentEvent('PatientRecordLinked', linked!.data as never, {
        tenantId: TENANT,
        aggregateId: 'ana',
      }),
    );
    await spec()
      .when(entitiesExtracted({ ...elsewhere, name: 'A. Perez', dateOfBirth: null }))
      .thenMatches([{ type: 'PatientMatched', data: { patientId: 'ana', method: 'identifier' } }]);
  });

  it('links nothing when the matched document names the patient as the index already does', async () => {
    await spec()
      .when(entitiesExtracted(ANA))
      .thenMatches([{ type: 'PatientMatched', data: { patientId: 'ana' } }]);
  });

  it('does not take a record number of another facility for an identifier', async () => {
    const event = entitiesExtracted({
      name: 'GOMEZ RUIZ, JUAN',
      dateOfBirth: '1955-10-22',
      facility: 'Centro Médico del Bajío',
      identifiers: [{ kind: 'record-number', value: '4471' }],
    });
    await spec()
      .when(event)
      .thenMatches([{ type: 'PatientRegistered' }, { type: 'PatientMatched' }]);
  });

  it('sends a record number whose name and date of birth clearly disagree to review', async () => {
    const event = entitiesExtracted({
      name: 'GOMEZ RUIZ, JUAN',
      dateOfBirth: '1955-10-22',
      sex: 'M',
      identifiers: [{ kind: 'record-number', value: '4471' }],
    });
    await spec()
      .when(event)
      .thenMatches([
        {
          type: 'PatientMatchReviewRequired',
          data: { reviewId: `id-${serial + 1}`, candidates: [{ patientId: 'ana' }] },
        },
      ]);
  });

  it('assigns a patient whose names, date of birth and sex agree, with the evidence', async () => {
    const event = entitiesExtracted({ name: 'Ana Pérez López', dateOfBirth: '1980-03-07' });
    const drafts = await spec()
      .when(event)
      .thenMatches([
        { type: 'PatientMatched', data: { patientId: 'ana', method: 'probabilistic' } },
      ]);
    expect(matched(drafts).score).toBeGreaterThanOrEqual(0.95);
    const candidates = candidatesOf(drafts[0]);
    expect(candidates[0]?.evidence).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'surname', agreement: 1 }),
        expect.objectContaining({ field: 'givenNames', agreement: 1 }),
        expect.objectContaining({ field: 'dateOfBirth', agreement: 1, detail: 'exact' }),
      ]),
    );
  });

  it.each([
    ['MA. GUADALUPE', 'MARIA GUADALUPE'],
    ['J. Luis', 'José Luis'],
    ['Bob', 'Robert'],
  ])('reads %s as %s', async (written, registered) => {
    remember('lupe', {
      surnames: 'Hernández Ruiz',
      givenNames: registered,
      dateOfBirth: '1971-11-30',
    });
    const event = entitiesExtracted({
      name: `HERNANDEZ RUIZ, ${written}`,
      dateOfBirth: '1971-11-30',
    });
    await spec()
      .when(event)
      .thenMatches([
        { type: 'PatientMatched', data: { patientId: 'lupe', method: 'probabilistic' } },
      ]);
  });

  it('forgives a misspelt surname and a date with day and month swapped', async () => {
    remember('rosa', { name: 'HERNÁNDEZ GARCÍA, ROSA', dateOfBirth: '1966-04-09', sex: 'F' });
    const event = entitiesExtracted({ name: 'Rosa Hernandes Garcia', dateOfBirth: '1966-09-04' });
    const drafts = await spec()
      .when(event)
      .thenMatches([{ type: 'PatientMatched', data: { patientId: 'rosa' } }]);
    const candidates = candidatesOf(drafts[0]);
    expect(candidates[0]?.evidence).toContainEqual(
      expect.objectContaining({ field: 'dateOfBirth', detail: 'day-month-swapped' }),
    );
  });

  it('sends a close but uncertain match to review: the name agrees, the date of birth is missing', async () => {
    const event = entitiesExtracted({ name: 'PEREZ LOPEZ, ANA', sex: 'F' });
    const [draft] = await spec()
      .when(event)
      .thenMatches([
        { type: 'PatientMatchReviewRequired', data: { candidates: [{ patientId: 'ana' }] } },
      ]);
    const data = draft?.data as { score: number; subject: PatientSubject };
    expect(data.score).toBeGreaterThanOrEqual(policy.reviewThreshold);
    expect(data.subject).toMatchObject({ name: 'PEREZ LOPEZ, ANA', dateOfBirth: null });
  });

  it('registers a new patient with both drafts when nobody is close enough', async () => {
    const event = entitiesExtracted({
      name: 'TORRES ZUÑIGA, ÓSCAR',
      dateOfBirth: '1990-01-15',
      sex: 'M',
    });
    const drafts = await processor.handle(event);
    const patientId = `id-${serial}`;
    expect(drafts).toMatchObject([
      {
        type: 'PatientRegistered',
        aggregateId: patientId,
        data: { documentId: event.metadata.aggregateId, round: 1, reason: 'match' },
      },
      { type: 'PatientMatched', data: { round: 1, patientId, method: 'registered' } },
    ]);
    expect((drafts[0]?.data as { subject?: PatientSubject } | undefined)?.subject?.name).toBe(
      'TORRES ZUÑIGA, ÓSCAR',
    );
    expect(matched(drafts.slice(1)).score).toBeLessThan(policy.reviewThreshold);
  });

  it('does not merge a namesake born on another day', async () => {
    const event = entitiesExtracted({
      name: 'PEREZ LOPEZ, ANA',
      dateOfBirth: '1962-08-19',
      sex: 'F',
    });
    const drafts = await processor.handle(event);
    expect(drafts.map((d) => d.type)).toEqual(['PatientRegistered', 'PatientMatched']);
    expect(matched(drafts.slice(1)).patientId).not.toBe('ana');
  });

  it('does not merge twins: same surnames and birth, other given names', async () => {
    for (const twin of [
      { name: 'PEREZ LOPEZ, JUAN', sex: 'M' },
      { name: 'PEREZ LOPEZ, SOFIA', sex: 'F' },
    ] as const) {
      const drafts = await processor.handle(
        entitiesExtracted({ ...twin, dateOfBirth: '1980-03-07' }),
      );
      const assigned = drafts.find((d) => d.type === 'PatientMatched')?.data as
        | { patientId: string }
        | undefined;
      expect(assigned?.patientId).not.toBe('ana');
    }
  });

  it('asks a person when two patients fit equally well', async () => {
    remember('ana-again', { ...ANA, identifiers: [] });
    const event = entitiesExtracted({ name: 'Ana Perez Lopez', dateOfBirth: '1980-03-07' });
    const [draft] = await spec()
      .when(event)
      .thenMatches([{ type: 'PatientMatchReviewRequired' }]);
    const candidates = candidatesOf(draft);
    expect(candidates.map((c) => c.patientId).sort()).toEqual(['ana', 'ana-again']);
  });

  it('asks a person about a document with neither a name nor an identifier', async () => {
    await spec()
      .when(entitiesExtracted({ dateOfBirth: '1980-03-07' }))
      .thenMatches([{ type: 'PatientMatchReviewRequired', data: { score: 0, candidates: [] } }]);
  });

  it('carries at most five candidates, best first', async () => {
    for (let i = 0; i < 8; i++)
      remember(`p${i}`, { name: 'PEREZ LOPEZ, ANA', dateOfBirth: `19${60 + i}-01-01` });
    const drafts = await processor.handle(
      entitiesExtracted({ name: 'PEREZ LOPEZ, ANA', sex: 'F' }),
    );
    const candidates = candidatesOf(drafts[0]);
    expect(candidates).toHaveLength(5);
    const scores = candidates.map((c) => c.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('matches the next document of a patient it has just registered, before the commit', async () => {
    const who = { name: 'VILLASEÑOR PAZ, ERNESTO', dateOfBirth: '1948-06-02', sex: 'M' } as const;
    const first = await processor.handle(entitiesExtracted(who));
    const registered = first[0]?.aggregateId;
    const second = await processor.handle(
      entitiesExtracted({ ...who, name: 'Ernesto Villasenor Paz' }),
    );
    expect(second).toMatchObject([
      { type: 'PatientMatched', data: { patientId: registered, method: 'probabilistic' } },
    ]);
    processor.settled?.(true);
    const third = await processor.handle(entitiesExtracted(who));
    expect(matched(third).patientId).toBe(registered);
  });

  it('forgets a tentative registration whose chunk was not committed', async () => {
    const who = { name: 'VILLASEÑOR PAZ, ERNESTO', dateOfBirth: '1948-06-02', sex: 'M' } as const;
    const first = await processor.handle(entitiesExtracted(who));
    processor.settled?.(false);
    expect(index.get(TENANT, first[0]?.aggregateId ?? '')).toBeUndefined();
    const again = await processor.handle(entitiesExtracted(who));
    expect(again.map((d) => d.type)).toEqual(['PatientRegistered', 'PatientMatched']);
    expect(again[0]?.aggregateId).not.toBe(first[0]?.aggregateId);
  });
});
