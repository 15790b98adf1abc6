import { PatientStore } from './patient-store.ts';
import type { PatientView, ScoredCandidate } from './score.ts';
import type { PreparedSubject } from './subject.ts';

/**
 * Every tenant's known patients, fed from the patient log, plus the registrations this process
 * decided and has not yet seen committed (tentative), so its next decision already knows them.
 */
export interface PatientIndex {
  /** Adds a patient once: a known id is kept as it is; one merged away joins its survivor. */
  register(tenantId: string, patient: PatientView, options?: { tentative?: boolean }): void;
  /** What another record of a known patient said of them (identifiers, names, dates) now leads there too. */
  link(tenantId: string, patient: PatientView): void;
  /** `mergedId` was `survivorId` all along: its variants and identifiers now lead there. */
  merge(tenantId: string, survivorId: string, mergedId: string): void;
  /** The patient was erased: it, and what was merged into it, no longer match anything. */
  erase(tenantId: string, patientId: string): void;
  candidates(tenantId: string, subject: PreparedSubject, limit: number): PatientView[];
  /**
   * `scoreCandidate` of each of `candidates(…)`, in their order, without reading them out; with
   * `shown`, of those alone that can be among the first `shown` a decision shows (`mayBeShown`).
   */
  score(
    tenantId: string,
    subject: PreparedSubject,
    limit: number,
    shown?: number,
  ): ScoredCandidate[];
  get(tenantId: string, id: string): PatientView | undefined;
  /** Tentative registrations stay when their decisions were committed, and leave when not. */
  settle(committed: boolean): void;
  size(tenantId: string): number;
  /** Forgets every tenant `keep` refuses: another replica decides for them now. */
  retain(keep: (tenantId: string) => boolean): void;
}

export function createPatientIndex(): PatientIndex {
  const tenants = new Map<string, PatientStore>();
  const mergedInto = new Map<string, string>();
  let tentative: Array<{ tenantId: string; id: string }> = [];

  const storeOf = (tenantId: string) => {
    const known = tenants.get(tenantId);
    if (known) return known;
    const store = new PatientStore();
    tenants.set(tenantId, store);
    return store;
  };
  const mergeKey = (tenantId: string, id: string) => `${tenantId}\n${id}`;
  /** Follows merges to the patient an id lives on as. */
  const survivorOf = (tenantId: string, id: string) => {
    let current = id;
    for (let next = mergedInto.get(mergeKey(tenantId, current)); next; ) {
      current = next;
      next = mergedInto.get(mergeKey(tenantId, current));
    }
    return current;
  };

  return {
    register(tenantId, patient, options = {}) {
      const store = storeOf(tenantId);
      const survivor = survivorOf(tenantId, patient.id);
      if (survivor !== patient.id) {
        store.absorb(survivor, patient);
        return;
      }
      if (store.has(patient.id)) {
        if (!options.tentative) {
          tentative = tentative.filter((t) => t.tenantId !== tenantId || t.id !== patient.id);
        }
        return;
      }
      store.add(patient);
      if (options.tentative) tentative.push({ tenantId, id: patient.id });
    },
    link(tenantId, patient) {
      tenants.get(tenantId)?.absorb(survivorOf(tenantId, patient.id), patient);
    },
    merge(tenantId, survivorId, mergedId) {
      if (survivorId === mergedId) return;
      const store = storeOf(tenantId);
      mergedInto.set(mergeKey(tenantId, mergedId), survivorId);
      const merged = store.remove(mergedId);
      if (merged) store.absorb(survivorOf(tenantId, survivorId), merged);
    },
    erase(tenantId, patientId) {
      tenants.get(tenantId)?.remove(survivorOf(tenantId, patientId));
    },
    candidates: (tenantId, subject, limit) =>
      tenants.get(tenantId)?.candidates(subject, limit) ?? [],
    score: (tenantId, subject, limit, shown) =>
      tenants.get(tenantId)?.score(subject, limit, shown) ?? [],
    get: (tenantId, id) => tenants.get(tenantId)?.get(survivorOf(tenantId, id)),
    settle(committed) {
      if (!committed) {
        for (const { tenantId, id } of tentative.reverse()) tenants.get(tenantId)?.remove(id);
      }
      tentative = [];
    },
    size: (tenantId) => tenants.get(tenantId)?.size ?? 0,
    retain(keep) {
      for (const tenantId of [...tenants.keys()]) if (!keep(tenantId)) tenants.delete(tenantId);
      for (const key of [...mergedInto.keys()]) {
        if (!keep(key.slice(0, key.indexOf('\n')))) mergedInto.delete(key);
      }
    },
  };
}
