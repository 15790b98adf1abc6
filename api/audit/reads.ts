/**
 * What a read of patient data returned, by id: the documents and patients a response contained
 * and how many rows. Each audited route names one of `AUDITED_READS` as its `config.audit`; it
 * is given the response's payload as the handler returned it, and the request's path parameters.
 */
export interface ReadIds {
  documentIds: string[];
  patientIds: string[];
  resultCount: number;
}

export type IdsOfRead = (payload: unknown, params?: unknown) => ReadIds;

type Row = Readonly<Record<string, unknown>>;

const isRow = (value: unknown): value is Row => typeof value === 'object' && value !== null;
const asRow = (value: unknown): Row => (isRow(value) ? value : {});
const rowsAt = (payload: unknown, key: string): Row[] => {
  const value = asRow(payload)[key];
  return Array.isArray(value) ? value.filter(isRow) : [];
};
const idAt = (row: Row, key: string): string[] => {
  const value = row[key];
  return typeof value === 'string' ? [value] : [];
};
const unique = (ids: string[]) => [...new Set(ids)];
const idsOf = (documentIds: string[], patientIds: string[], resultCount: number): ReadIds => ({
  documentIds: unique(documentIds),
  patientIds: unique(patientIds),
  resultCount,
});

/** A document as DocumentSchema shows it: its id, and the patient it was matched to. */
const documentIds = (document: Row) => idAt(document, 'id');
const matchedPatient = (document: Row) => idAt(asRow(document.patientMatch), 'patientId');

/** A patient's facts (labs, medications, diagnoses) under `key`, each from a document. */
const patientFacts =
  (key: string): IdsOfRead =>
  (payload) => {
    const facts = rowsAt(payload, key);
    return idsOf(
      facts.flatMap((f) => idAt(f, 'documentId')),
      idAt(asRow(payload), 'patientId'),
      facts.length,
    );
  };

/** A review: its document, and the patients it was compared with or assigned to. */
const reviewDocument = (review: Row) => idAt(review, 'documentId');
const reviewPatients = (review: Row) => [
  ...idAt(review, 'patientId'),
  ...rowsAt(review, 'candidates').flatMap((c) => idAt(c, 'patientId')),
];

/** A part of one document (its text, its entities): the document alone. */
const documentPart: IdsOfRead = (payload) => idsOf(idAt(asRow(payload), 'documentId'), [], 1);

export const AUDITED_READS = {
  documentList: (payload) => {
    const items = rowsAt(payload, 'items');
    return idsOf(items.flatMap(documentIds), items.flatMap(matchedPatient), items.length);
  },
  document: (payload) => idsOf(documentIds(asRow(payload)), matchedPatient(asRow(payload)), 1),
  documentText: documentPart,
  documentEntities: documentPart,
  search: (payload) => {
    const items = rowsAt(payload, 'items');
    return idsOf(
      items.flatMap((i) => idAt(i, 'documentId')),
      [],
      items.length,
    );
  },
  patientList: (payload) => {
    const items = rowsAt(payload, 'items');
    return idsOf(
      [],
      items.flatMap((i) => idAt(i, 'id')),
      items.length,
    );
  },
  patient: (payload) =>
    idsOf(rowsAt(payload, 'documents').flatMap(documentIds), idAt(asRow(payload), 'id'), 1),
  labs: patientFacts('labs'),
  medications: patientFacts('medications'),
  diagnoses: patientFacts('diagnoses'),
  /** A review shows the document's subject and the candidates compared with it. */
  reviewList: (payload) => {
    const items = rowsAt(payload, 'items');
    return idsOf(items.flatMap(reviewDocument), items.flatMap(reviewPatients), items.length);
  },
  /** One review, with its document's text. */
  review: (payload) => idsOf(reviewDocument(asRow(payload)), reviewPatients(asRow(payload)), 1),
  /** A page image is bytes: the document is the one its path names. */
  pageImage: (_payload, params?) => idsOf(idAt(asRow(params), 'id'), [], 1),
} as const satisfies Record<string, IdsOfRead>;

/** A read refused or failed: nothing was returned. */
export const NOTHING_READ: ReadIds = { documentIds: [], patientIds: [], resultCount: 0 };
