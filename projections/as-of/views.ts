import type { DocumentEvent } from '../../schemas/events.ts';
import type { DocumentView } from '../documents/queries.ts';
import type { PatientDocument, PatientView } from '../patients/queries.ts';
import { type DocumentState, foldDocument } from './document-state.ts';
import { type PatientIndex, patientView, survivorOf } from './patient-state.ts';

/** The document's patient as the live read names it: the survivor it was merged into, if any. */
export function documentWithSurvivor(document: DocumentView, index: PatientIndex): DocumentView {
  const match = document.patientMatch;
  if (!match?.patientId) return document;
  return { ...document, patientMatch: { ...match, patientId: survivorOf(index, match.patientId) } };
}

/** Each document's events folded apart, in the order given. */
export function foldEach(events: readonly DocumentEvent[]): DocumentView[] {
  const byDocument = new Map<string, DocumentEvent[]>();
  for (const event of events) {
    const list = byDocument.get(event.metadata.aggregateId) ?? [];
    list.push(event);
    byDocument.set(event.metadata.aggregateId, list);
  }
  return [...byDocument.values()]
    .map(foldDocument)
    .filter((d): d is NonNullable<DocumentState> => d !== null);
}

const asPatientDocument = (d: DocumentView): PatientDocument => ({
  id: d.id,
  fileName: d.fileName,
  documentType: d.classification?.documentType ?? null,
  status: d.status,
  uploadedAt: d.uploadedAt,
  patientId: d.patientMatch?.patientId ?? '',
  matchStatus: d.patientMatch?.status ?? '',
  matchScore: d.patientMatch?.score ?? null,
  matchMethod: d.patientMatch?.method ?? null,
});

export type PatientWithDocuments = PatientView & { documents: PatientDocument[] };

/**
 * What `GET /patients/:id` shows: the patient (or its survivor) and the documents decided to be
 * its own or those of a patient merged into it, newest first. `documents` are folded, merges not
 * followed. Null when the patient is not registered.
 */
export function patientWithDocuments(
  index: PatientIndex,
  patientId: string,
  documents: readonly DocumentView[],
): PatientWithDocuments | null {
  const view = patientView(index, patientId);
  if (!view) return null;
  const members = new Set([view.id, ...view.mergedIds]);
  const theirs = documents
    .filter((d) => d.patientMatch?.patientId && members.has(d.patientMatch.patientId))
    .map(asPatientDocument)
    .sort((a, b) => b.uploadedAt.localeCompare(a.uploadedAt) || b.id.localeCompare(a.id));
  return { ...view, documents: theirs };
}
