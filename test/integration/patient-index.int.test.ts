import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPatientIndexFeed } from '../../processors/match-patient/index-feed.ts';
import { patientOf } from '../../processors/match-patient/match.ts';
import { createPatientIndex } from '../../processors/match-patient/patient-index.ts';
import { prepareSubject } from '../../processors/match-patient/subject.ts';
import type { PatientSubject } from '../../schemas/events.ts';
import { eventually } from '../support/environment.ts';
import { patientRegistered, patientSubject, patientsMerged } from '../support/events.ts';
import { createHarness, type Harness } from '../support/harness.ts';

const TENANT = 'tenant-a';
const FACILITY = 'Centro Médico del Bajío';

const subject = (name: string, record: string, dateOfBirth: string): PatientSubject =>
  patientSubject({
    facility: FACILITY,
    identifiers: [{ kind: 'record-number', value: record }],
    name,
    surnames: null,
    givenNames: null,
    dateOfBirth,
  });
const registered = (patientId: string, who: PatientSubject) =>
  patientRegistered(patientId, { documentId: randomUUID(), subject: who }, { tenantId: TENANT });
const merged = (survivorId: string, mergedId: string) =>
  patientsMerged(survivorId, mergedId, { tenantId: TENANT });
const byRecord = (record: string) =>
  prepareSubject({ ...subject('', record, ''), name: null, dateOfBirth: null });

describe('patient index feed against the real patient log', () => {
  let harness: Harness;
  const ana = randomUUID();
  const anita = randomUUID();
  const rosa = randomUUID();

  beforeAll(async () => {
    harness = await createHarness();
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('starts from an empty log without waiting for anything', async () => {
    const index = createPatientIndex();
    const feed = await startPatientIndexFeed(harness, index);
    await feed.stop();
    expect(index.size(TENANT)).toBe(0);
  });

  it('holds every registration and merge of the log once its start has resolved', async () => {
    await harness.eventLog.append(
      registered(ana, subject('PEREZ LOPEZ, ANA', '4471', '1980-03-07')),
    );
    await harness.eventLog.append(registered(anita, subject('PEREZ, ANITA', '9120', '1980-07-03')));
    await harness.eventLog.append(
      registered(rosa, subject('RUIZ SOTO, ROSA', '5008', '1966-04-09')),
    );
    await harness.eventLog.append(merged(ana, anita));
    // Registered twice (a redelivery): still one patient.
    await harness.eventLog.append(
      registered(rosa, subject('RUIZ SOTO, ROSA', '5008', '1966-04-09')),
    );

    const index = createPatientIndex();
    const feed = await startPatientIndexFeed(harness, index);
    try {
      expect(index.size(TENANT)).toBe(2);
      expect(index.get(TENANT, rosa)?.id).toBe(rosa);
      expect(index.candidates(TENANT, byRecord('9120'), 10).map((p) => p.id)).toEqual([ana]);
      expect(index.get(TENANT, anita)?.id).toBe(ana);

      const later = randomUUID();
      await harness.eventLog.append(
        registered(later, subject('DIAZ MEZA, LUZ', '7001', '1999-12-01')),
      );
      await eventually(() => expect(index.get(TENANT, later)?.id).toBe(later));
    } finally {
      await feed.stop();
    }
  });

  it('lets a registration this process made tentatively stand once the log has it', async () => {
    const index = createPatientIndex();
    const feed = await startPatientIndexFeed(harness, index);
    try {
      const own = randomUUID();
      const who = subject('LUNA VEGA, MARTA', '8100', '1975-02-14');
      index.register(TENANT, patientOf(own, prepareSubject(who)), { tentative: true });
      await harness.eventLog.append(registered(own, who));
      // Once the feed has read it, a later abandoned chunk must not take it away.
      const marker = randomUUID();
      await harness.eventLog.append(registered(marker, subject('X, Y', '1', '2000-01-01')));
      await eventually(() => expect(index.get(TENANT, marker)).toBeDefined());
      index.settle(false);
      expect(index.get(TENANT, own)?.id).toBe(own);
    } finally {
      await feed.stop();
    }
  });

  it('holds only the tenants it owns, and loads a tenant taken over before it answers', async () => {
    const other = 'tenant-b';
    const bea = randomUUID();
    await harness.eventLog.append(
      patientRegistered(
        bea,
        { documentId: randomUUID(), subject: subject('SOTO, BEA', '3003', '1990-05-05') },
        { tenantId: other },
      ),
    );
    let owned = new Set([TENANT]);
    const owns = (tenantId: string) => owned.has(tenantId);
    const index = createPatientIndex();
    const feed = await startPatientIndexFeed(harness, index, owns);
    try {
      expect(index.size(TENANT)).toBeGreaterThan(0);
      expect(index.size(other)).toBe(0);

      owned = new Set([TENANT, other]);
      await feed.reload(owns);
      expect(index.get(other, bea)?.id).toBe(bea);

      owned = new Set([other]);
      index.retain(owns);
      expect(index.size(TENANT)).toBe(0);
      expect(index.get(other, bea)?.id).toBe(bea);
    } finally {
      await feed.stop();
    }
  });
});
