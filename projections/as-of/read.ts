import type { ReadEventsAt } from '../../infra/kafka/read-records.ts';
import type { Queryable } from '../../infra/postgres.ts';
import type {
  DocumentEvent,
  DomainEvent,
  LogPosition,
  PatientEvent,
} from '../../schemas/events.ts';
import type { DocumentView } from '../documents/queries.ts';
import type { DocumentEntities } from '../entities/queries.ts';
import {
  mergeGroupUntil,
  type PatientTimelineRow,
  patientsNamedBy,
} from '../patient-timeline/queries.ts';
import { documentPositionsUntil } from '../timeline/queries.ts';
import { foldDocument, until } from './document-state.ts';
import { foldEntities } from './entities-state.ts';
import { foldPatients } from './patient-state.ts';
import {
  documentWithSurvivor,
  foldEach,
  type PatientWithDocuments,
  patientWithDocuments,
} from './views.ts';

/** What an as-of read needs beside the database: the log's records at given positions. */
export interface AsOfPorts {
  readEvents: ReadEventsAt;
}

const PATIENT_TYPES = new Set(['PatientRegistered', 'PatientRecordLinked', 'PatientsMerged']);
const keyOf = (p: LogPosition) => `${p.topic}:${p.partition}:${p.offset}`;

/** Each position once: a merge is indexed under both of its patients. */
function distinct(positions: readonly LogPosition[]): LogPosition[] {
  return [...new Map(positions.map((p) => [keyOf(p), p])).values()];
}

/** Patient events from several partitions, in the order they happened. */
const byTime = (events: PatientEvent[]) =>
  events.sort((a, b) => a.metadata.occurredAt - b.metadata.occurredAt);

const isPatientEvent = (event: DomainEvent): event is PatientEvent => PATIENT_TYPES.has(event.type);

/** The patient index as of then, from the rows of the patients a read involves. */
const patientRowsOf = (rows: readonly PatientTimelineRow[]) =>
  rows.filter((r) => PATIENT_TYPES.has(r.type)).map((r) => r.position);

/**
 * The document as the `documents` read model showed it at `asOf`: its events up to then, read from
 * the log and folded; its patient followed through the merges made by then. Null if the tenant
 * had no such document then.
 */
export async function documentAsOf(
  db: Queryable,
  tenantId: string,
  documentId: string,
  asOf: Date,
  { readEvents }: AsOfPorts,
): Promise<DocumentView | null> {
  const own = await documentPositionsUntil(db, tenantId, [documentId], asOf);
  if (own.length === 0) return null;
  // The patients any decision on the document named by then, and those merged with them.
  const { rows: named } = await mergeGroupsNaming(db, tenantId, documentId, asOf);
  const positions = distinct([...own.map((p) => p.position), ...patientRowsOf(named)]);
  const events = until(await readEvents(positions), asOf);
  const index = foldPatients(byTime(events.filter(isPatientEvent)));
  const document = foldDocument(events.filter((e): e is DocumentEvent => !isPatientEvent(e)));
  return document && documentWithSurvivor(document, index);
}

async function mergeGroupsNaming(db: Queryable, tenantId: string, documentId: string, asOf: Date) {
  const named = await patientsNamedBy(db, tenantId, documentId, asOf);
  const groups = await Promise.all(named.map((id) => mergeGroupUntil(db, tenantId, id, asOf)));
  return { rows: groups.flatMap((g) => g.rows) };
}

/**
 * The patient as `GET /patients/:id` showed it at `asOf`: the patients merged with it by then and
 * the documents decided to be theirs by then, all folded from their events in the log. A patient
 * merged later still answers as itself; one merged by then answers as its survivor.
 */
export async function patientAsOf(
  db: Queryable,
  tenantId: string,
  patientId: string,
  asOf: Date,
  { readEvents }: AsOfPorts,
): Promise<PatientWithDocuments | null> {
  const { rows } = await mergeGroupUntil(db, tenantId, patientId, asOf);
  const documentIds = [
    ...new Set(rows.filter((r) => !PATIENT_TYPES.has(r.type)).map((r) => r.relatedId ?? '')),
  ].filter(Boolean);
  const decided = await documentPositionsUntil(db, tenantId, documentIds, asOf);
  const positions = [...patientRowsOf(rows), ...decided.map((d) => d.position)];
  const events = until(await readEvents(distinct(positions)), asOf);
  const index = foldPatients(byTime(events.filter(isPatientEvent)));
  const documents = foldEach(events.filter((e): e is DocumentEvent => !isPatientEvent(e)));
  return patientWithDocuments(index, patientId, documents);
}

/**
 * The document's entities as `GET /documents/:id/entities` showed them at `asOf`: `entities` is
 * null when none had been read by then; the whole answer is null if there was no such document.
 */
export async function documentEntitiesAsOf(
  db: Queryable,
  tenantId: string,
  documentId: string,
  asOf: Date,
  { readEvents }: AsOfPorts,
): Promise<{ found: boolean; entities: DocumentEntities | null }> {
  const own = await documentPositionsUntil(db, tenantId, [documentId], asOf);
  if (own.length === 0) return { found: false, entities: null };
  const events = until(await readEvents(own.map((p) => p.position)), asOf);
  const documentEvents = events.filter((e): e is DocumentEvent => !isPatientEvent(e));
  return { found: true, entities: foldEntities(documentEvents) };
}
