import { describe, expect, it } from 'vitest';
import { cutoffs, due, NO_POLICY, type RetainedDocument, type RetentionPolicy } from './policy.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.parse('2026-06-01T12:00:00Z');
const DEFAULT_TRASH_HOURS = 720;

const policy = (overrides: Partial<RetentionPolicy>): RetentionPolicy => ({
  ...NO_POLICY,
  ...overrides,
});
const doc = (id: string, overrides: Partial<RetainedDocument> = {}): RetainedDocument => ({
  tenantId: 'clinic-a',
  documentId: id,
  uploadedAt: NOW - DAY,
  rejectedAt: null,
  trashedAt: null,
  ...overrides,
});
const decide = (
  policies: Record<string, RetentionPolicy>,
  documents: RetainedDocument[],
  now = NOW,
) => due(new Map(Object.entries(policies)), documents, now, DEFAULT_TRASH_HOURS);

describe('retention: which documents are due for erasure', () => {
  it('erases nothing when no tenant has a policy and nothing is in the trash', () => {
    const old = doc('old', { uploadedAt: NOW - 10_000 * DAY, rejectedAt: NOW - 9_000 * DAY });
    expect(decide({}, [old])).toEqual([]);
  });

  it('erases a trashed document once its tenant’s delay has passed, not a moment before', () => {
    const policies = { 'clinic-a': policy({ trashDelayHours: 48 }) };
    const justInside = doc('inside', { trashedAt: NOW - 48 * HOUR + 1 });
    const justPast = doc('past', { trashedAt: NOW - 48 * HOUR });
    expect(decide(policies, [justInside, justPast])).toEqual([
      {
        tenantId: 'clinic-a',
        documentId: 'past',
        rule: 'trash-delay',
        reason: 'retention: in the trash past its delay of 48 hours',
      },
    ]);
  });

  it('uses the default trash delay for a tenant without one, and allows delays of seconds', () => {
    const trashed = doc('t', { trashedAt: NOW - 719 * HOUR });
    expect(decide({}, [trashed])).toEqual([]);
    expect(decide({}, [trashed], NOW + HOUR)).toMatchObject([
      { documentId: 't', rule: 'trash-delay', reason: expect.stringContaining('720 hours') },
    ]);
    const seconds = { 'clinic-a': policy({ trashDelayHours: 2 / 3600 }) };
    const recent = doc('r', { trashedAt: NOW - 1_000 });
    expect(decide(seconds, [recent])).toEqual([]);
    expect(decide(seconds, [recent], NOW + 1_000)).toMatchObject([
      { rule: 'trash-delay', reason: 'retention: in the trash past its delay of 2 seconds' },
    ]);
  });

  it('erases rejected uploads past their age, counted from the rejection', () => {
    const policies = { 'clinic-a': policy({ rejectedMaxAgeDays: 30 }) };
    const documents = [
      doc('rejected-long-ago', { uploadedAt: NOW - 40 * DAY, rejectedAt: NOW - 31 * DAY }),
      doc('rejected-lately', { uploadedAt: NOW - 40 * DAY, rejectedAt: NOW - 29 * DAY }),
      doc('accepted-long-ago', { uploadedAt: NOW - 400 * DAY }),
    ];
    expect(decide(policies, documents)).toEqual([
      {
        tenantId: 'clinic-a',
        documentId: 'rejected-long-ago',
        rule: 'rejected-max-age',
        reason: 'retention: rejected upload older than 30 days',
      },
    ]);
  });

  it('erases any document older than the maximum age, whatever its state', () => {
    const policies = { 'clinic-a': policy({ documentsMaxAgeDays: 365 * 7 }) };
    const documents = [
      doc('eight-years', { uploadedAt: NOW - 8 * 365 * DAY }),
      doc('six-years', { uploadedAt: NOW - 6 * 365 * DAY }),
      doc('eight-years-rejected', { uploadedAt: NOW - 8 * 365 * DAY, rejectedAt: NOW - DAY }),
    ];
    expect(decide(policies, documents).map((e) => [e.documentId, e.rule, e.reason])).toEqual([
      ['eight-years', 'documents-max-age', 'retention: document older than 2555 days'],
      ['eight-years-rejected', 'documents-max-age', 'retention: document older than 2555 days'],
    ]);
  });

  it('names one rule per document: the trash before a rejection, a rejection before age', () => {
    const policies = {
      'clinic-a': policy({ documentsMaxAgeDays: 1, rejectedMaxAgeDays: 1, trashDelayHours: 1 }),
    };
    const everything = { uploadedAt: NOW - 10 * DAY, rejectedAt: NOW - 5 * DAY };
    expect(
      decide(policies, [
        doc('all-three', { ...everything, trashedAt: NOW - 2 * HOUR }),
        doc('rejected-and-old', everything),
        doc('trashed-lately-but-old', { ...everything, trashedAt: NOW - 1_000 }),
      ]).map((e) => [e.documentId, e.rule]),
    ).toEqual([
      ['all-three', 'trash-delay'],
      ['rejected-and-old', 'rejected-max-age'],
      // Still restorable, but its age alone erases it: a trash never keeps what policy removes.
      ['trashed-lately-but-old', 'rejected-max-age'],
    ]);
  });

  it('applies each tenant’s own policy to its own documents', () => {
    const policies = {
      'clinic-a': policy({ documentsMaxAgeDays: 10 }),
      'clinic-b': policy({ documentsMaxAgeDays: 100 }),
    };
    const fiftyDays = { uploadedAt: NOW - 50 * DAY };
    const erased = decide(policies, [
      doc('a-doc', fiftyDays),
      doc('b-doc', { ...fiftyDays, tenantId: 'clinic-b' }),
      doc('c-doc', { ...fiftyDays, tenantId: 'clinic-c' }),
    ]);
    expect(erased.map((e) => [e.tenantId, e.documentId])).toEqual([['clinic-a', 'a-doc']]);
  });

  it('gives the cut-off times a candidate query narrows by', () => {
    expect(cutoffs(policy({ documentsMaxAgeDays: 2, rejectedMaxAgeDays: 1 }), NOW, 720)).toEqual({
      uploadedBefore: NOW - 2 * DAY,
      rejectedBefore: NOW - DAY,
      trashedBefore: NOW - 720 * HOUR,
    });
    expect(cutoffs(NO_POLICY, NOW, 0)).toEqual({
      uploadedBefore: null,
      rejectedBefore: null,
      trashedBefore: NOW,
    });
  });
});
