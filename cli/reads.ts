import Table from 'cli-table3';
import { type Api, ApiError } from './api.ts';
import { type ContainerView, writeContainer } from './children.ts';

const plain = { style: { head: [], border: [] } };

interface DocumentView extends ContainerView {
  id: string;
  fileName: string;
  status: string;
  statusReason: string | null;
  classification: { documentType: string } | null;
  round: number;
  uploadedAt: string;
  updatedAt: string;
  patientMatch?: { status: string; patientId?: string | null; method?: string } | null;
}

interface HistoryEvent {
  type: string;
  occurredAt: string;
  actor: string;
  round: number;
}

/**
 * `docstream status <documentId>`: the document, then its timeline. The timeline needs the
 * auditor role; without it the document alone is shown, with a note. A zip or an e-mail lists
 * its child documents and its refused entries; a child names its container and entry.
 */
export async function status(api: Api, documentId: string, out: NodeJS.WritableStream) {
  const id = encodeURIComponent(documentId);
  const doc = await api.get<DocumentView>(`/documents/${id}`);
  const match = doc.patientMatch;
  const lines: Array<[string, string]> = [
    ['document', doc.id],
    ['file', doc.fileName],
    ['status', doc.statusReason ? `${doc.status} (${doc.statusReason})` : doc.status],
    ['type', doc.classification?.documentType ?? ''],
    ['patient', match ? [match.status, match.patientId].filter(Boolean).join(' ') : ''],
    ['round', String(doc.round)],
    ['uploaded', doc.uploadedAt],
    ['updated', doc.updatedAt],
  ];
  for (const [label, value] of lines) out.write(`${label.padEnd(9)} ${value}\n`);
  await writeContainer(api, doc, out);
  try {
    const { events } = await api.get<{ events: HistoryEvent[] }>(`/documents/${id}/history`);
    const table = new Table({ head: ['when', 'event', 'round', 'actor'], ...plain });
    for (const e of events) table.push([e.occurredAt, e.type, String(e.round), e.actor]);
    out.write(`${table.toString()}\n`);
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 'ROLE_NOT_ALLOWED')) throw error;
    out.write('(the timeline needs a key with the auditor role)\n');
  }
}

interface Review {
  id: string;
  documentId: string;
  score: number;
  requestedAt: string;
  subject: Record<string, unknown>;
  candidates: Array<{ patientId: string; score: number }>;
}

/** `docstream reviews`: the open patient-match reviews, oldest first. */
export async function reviews(api: Api, limit: number, out: NodeJS.WritableStream) {
  const { items } = await api.get<{ items: Review[] }>(`/reviews?status=open&limit=${limit}`);
  const table = new Table({
    head: ['review', 'document', 'requested', 'score', 'closest patients'],
    ...plain,
  });
  for (const r of items) {
    const candidates = r.candidates.map((c) => `${c.patientId} (${c.score.toFixed(2)})`);
    table.push([r.id, r.documentId, r.requestedAt, r.score.toFixed(2), candidates.join('\n')]);
  }
  out.write(`${table.toString()}\n${items.length} open review(s)\n`);
}
