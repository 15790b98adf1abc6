import { CONTAINER_MEDIA_TYPES } from '../../infra/blobs/media-type.ts';
import { type DocumentEvent, roundOf } from '../../schemas/events.ts';
import type { DocumentStatus, MatchStatus } from '../documents/projection.ts';
import type { DocumentView } from '../documents/queries.ts';

/**
 * A document as the `documents` read model holds it, folded in memory: `evolve` does to one
 * document what the projection's SQL does to its row, event for event, so folding a document's
 * events up to a time answers what the read model would have said then. `patientMatch.patientId`
 * is the patient decided at the time, before merges; `documentAsOf` follows merges.
 */
export type DocumentState = DocumentView | null;

const RESOLUTION_STATUS: Record<string, MatchStatus> = {
  assigned: 'matched',
  registered: 'registered',
  rejected: 'rejected',
};

type Row = DocumentView;
type Change = (row: Row) => Row;

/** Sets what `change` sets on the document's current round; another round's events change nothing. */
function onRound(row: Row, event: DocumentEvent, change: Change): Row {
  if (roundOf(event) !== row.round) return row;
  return { ...change(row), updatedAt: iso(event.metadata.occurredAt) };
}

const advance =
  (status: DocumentStatus, rest: Partial<Row> = {}): Change =>
  (row) => ({
    ...row,
    status,
    ...rest,
  });

const iso = (millis: number) => new Date(millis).toISOString();

const matchOf = (row: Row, set: Partial<NonNullable<Row['patientMatch']>>) => ({
  status: row.patientMatch?.status ?? '',
  patientId: row.patientMatch?.patientId ?? null,
  score: row.patientMatch?.score ?? null,
  method: row.patientMatch?.method ?? null,
  reviewId: row.patientMatch?.reviewId ?? null,
  ...set,
});

function uploaded(event: Extract<DocumentEvent, { type: 'DocumentUploaded' }>): Row {
  const { data: d, metadata: m } = event;
  return {
    id: m.aggregateId,
    tenantId: m.tenantId,
    status: 'uploaded',
    fileName: d.fileName,
    mediaType: d.mediaType,
    sizeBytes: d.sizeBytes,
    sha256: d.sha256,
    externalPatientId: d.externalPatientId,
    documentTypeHint: d.documentTypeHint,
    duplicateOf: d.duplicateOf,
    correlationId: m.correlationId,
    uploadedAt: iso(m.occurredAt),
    updatedAt: iso(m.occurredAt),
    round: 1,
    statusReason: null,
    statusMessage: null,
    exportName:
      d.exportName?.recordNumber && d.exportName.typeCode
        ? { recordNumber: d.exportName.recordNumber, typeCode: d.exportName.typeCode }
        : null,
    pageCount: null,
    text: null,
    classification: null,
    quality: null,
    parentDocumentId: d.parentDocumentId ?? null,
    entryPath: d.entryPath ?? null,
    children: null,
    patientMatch: null,
  };
}

function reprocessed(
  row: Row,
  event: Extract<DocumentEvent, { type: 'DocumentReprocessRequested' }>,
): Row {
  const { round, mediaType } = event.data;
  if (row.round >= round) return row;
  const updatedAt = iso(event.metadata.occurredAt);
  // A container is not opened again (its children get rounds of their own): it stays as it was.
  if (CONTAINER_MEDIA_TYPES.includes(mediaType)) return { ...row, round, updatedAt };
  return {
    ...row,
    round,
    updatedAt,
    status: 'uploaded',
    statusReason: null,
    statusMessage: null,
    quality: null,
    patientMatch: null,
  };
}

/** The document after `event`, as the `documents` projection would leave its row. */
export function evolveDocument(state: DocumentState, event: DocumentEvent): DocumentState {
  if (event.type === 'DocumentUploaded') return state ?? uploaded(event);
  if (!state) return state;
  switch (event.type) {
    case 'DocumentReprocessRequested':
      return reprocessed(state, event);
    case 'DocumentValidated':
      return onRound(state, event, advance('validated', { pageCount: event.data.pageCount }));
    case 'DocumentRejected':
      return onRound(
        state,
        event,
        advance('rejected', { statusReason: event.data.reason, statusMessage: event.data.message }),
      );
    case 'ArchiveExpanded':
      return onRound(
        state,
        event,
        advance('expanded', {
          children: { accepted: event.data.accepted.length, rejected: [...event.data.rejected] },
        }),
      );
    case 'TextExtracted': {
      const { method, language, confidence, charCount } = event.data;
      return onRound(
        state,
        event,
        advance('text-extracted', { text: { method, language, confidence, chars: charCount } }),
      );
    }
    case 'DocumentClassified': {
      const { documentType, confidence, evidence } = event.data;
      const classification = { documentType, confidence, evidence: [...evidence] };
      return onRound(state, event, advance('classified', { classification }));
    }
    case 'DocumentProcessingFailed':
      return onRound(
        state,
        event,
        advance('failed', {
          statusReason: 'PROCESSING_FAILED',
          statusMessage: `${event.data.processor} gave up: ${event.data.reason}`,
        }),
      );
    case 'QualityAssessed':
      return onRound(state, event, (row) => ({
        ...row,
        quality: { score: event.data.score, reasons: [...event.data.reasons] },
      }));
    case 'PatientMatched': {
      const { patientId, method, score } = event.data;
      const status: MatchStatus = method === 'registered' ? 'registered' : 'matched';
      return onRound(state, event, (row) => ({
        ...row,
        patientMatch: { status, patientId, score, method, reviewId: null },
      }));
    }
    case 'PatientMatchReviewRequired': {
      const { score, reviewId } = event.data;
      return onRound(state, event, (row) => ({
        ...row,
        patientMatch: { status: 'review', patientId: null, score, method: null, reviewId },
      }));
    }
    case 'ReviewResolved': {
      const status = RESOLUTION_STATUS[event.data.resolution];
      // Only the resolution of the review the current round is waiting on counts.
      if (!status || state.patientMatch?.reviewId !== event.data.reviewId) return state;
      const { patientId } = event.data;
      return onRound(state, event, (row) => ({
        ...row,
        patientMatch: matchOf(row, { status, patientId, method: 'review' }),
      }));
    }
    // Erased: nothing of the document is known any more, at any time read after this event.
    case 'DocumentErased':
      return null;
    case 'EntitiesExtracted':
    // The trash hides a document from reads now; what it said at a time is what it said.
    case 'DocumentTrashed':
    case 'DocumentRestored':
      return state;
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

/** The document after every one of `events`, in log order; null before its upload. */
export const foldDocument = (events: readonly DocumentEvent[]): DocumentState =>
  events.reduce(evolveDocument, null as DocumentState);

/** The events that had happened by `asOf`, in the order given. */
export const until = <E extends { metadata: { occurredAt: number } }>(
  events: readonly E[],
  asOf: Date,
): E[] => events.filter((e) => e.metadata.occurredAt <= asOf.getTime());
