import Table from 'cli-table3';
import type { BatchFile } from './types.ts';

/** What became of one local file in an upload. */
export type Outcome =
  | { label: string; documentId: string; duplicateOf: string | null }
  | { label: string; error: { code: string; message: string } };

export interface SummaryRow {
  file: string;
  documentId: string;
  status: string;
  /** The patient decision, or why the file failed. */
  decision: string;
  failed: boolean;
}

/** Statuses of the chain that end a document without a patient decision. */
const FAILED_STATUSES = new Set(['rejected', 'failed']);

/**
 * One row per local file, joined with the batch's state of its document when there is one. A zip
 * or an e-mail is followed by a row per document taken out of it, which the batch counts in its
 * place: each is a file of the upload as much as the others.
 */
export function summaryRows(
  outcomes: readonly Outcome[],
  batchFiles: readonly BatchFile[],
): SummaryRow[] {
  const byId = new Map(batchFiles.map((f) => [f.documentId, f]));
  return outcomes.flatMap((outcome) => {
    const row = fileRow(outcome, byId);
    if ('error' in outcome) return [row];
    const children = batchFiles.filter((f) => f.parentDocumentId === outcome.documentId);
    if (children.length === 0) return [row];
    return [
      { ...row, status: `expanded into ${children.length}` },
      ...children.map((child) =>
        fileRow(
          {
            label: `${outcome.label} › ${child.fileName}`,
            documentId: child.documentId,
            duplicateOf: null,
          },
          byId,
        ),
      ),
    ];
  });
}

function fileRow(outcome: Outcome, byId: ReadonlyMap<string, BatchFile>): SummaryRow {
  if ('error' in outcome) {
    return {
      file: outcome.label,
      documentId: '',
      status: 'not uploaded',
      decision: outcome.error.code,
      failed: true,
    };
  }
  const file = byId.get(outcome.documentId);
  const status = file?.status ?? 'uploaded';
  const failed = FAILED_STATUSES.has(status);
  const decision = failed
    ? (file?.statusReason ?? status)
    : file?.matchStatus
      ? [file.matchStatus, file.patientId].filter(Boolean).join(' ')
      : '';
  const duplicate = outcome.duplicateOf ? ` (duplicate of ${outcome.duplicateOf})` : '';
  return {
    file: outcome.label,
    documentId: outcome.documentId,
    status: `${status}${duplicate}`,
    decision,
    failed,
  };
}

export function renderSummary(rows: readonly SummaryRow[]): string {
  const table = new Table({
    head: ['file', 'document', 'status', 'patient / error'],
    // No colours: the table is read in logs and by scripts as often as on a terminal.
    style: { head: [], border: [] },
  });
  for (const row of rows) table.push([row.file, row.documentId, row.status, row.decision]);
  const failed = rows.filter((r) => r.failed).length;
  return `${table.toString()}\n${rows.length} file(s), ${rows.length - failed} ok, ${failed} failed\n`;
}
