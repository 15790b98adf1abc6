import { describe, expect, it } from 'vitest';
import { renderSummary, summaryRows } from './summary.ts';
import type { BatchFile } from './types.ts';

const batchFile = (file: Partial<BatchFile> & Pick<BatchFile, 'documentId' | 'fileName'>) => ({
  status: 'classified',
  statusReason: null,
  documentType: null,
  matchStatus: null,
  patientId: null,
  parentDocumentId: null,
  ...file,
});

describe('the upload summary', () => {
  it('follows a zip with a row per document taken out of it, each counted as a file', () => {
    const rows = summaryRows(
      [
        { label: 'lote.zip', documentId: 'zip-1', duplicateOf: null },
        { label: 'nota.pdf', documentId: 'doc-1', duplicateOf: null },
      ],
      [
        batchFile({
          documentId: 'doc-1',
          fileName: 'nota.pdf',
          matchStatus: 'matched',
          patientId: 'p-1',
        }),
        batchFile({ documentId: 'child-1', fileName: 'a.txt', parentDocumentId: 'zip-1' }),
        batchFile({
          documentId: 'child-2',
          fileName: 'b.pdf',
          parentDocumentId: 'zip-1',
          status: 'rejected',
          statusReason: 'PDF_UNREADABLE',
        }),
      ],
    );
    expect(rows.map((r) => [r.file, r.documentId, r.status, r.decision, r.failed])).toEqual([
      ['lote.zip', 'zip-1', 'expanded into 2', '', false],
      ['lote.zip › a.txt', 'child-1', 'classified', '', false],
      ['lote.zip › b.pdf', 'child-2', 'rejected', 'PDF_UNREADABLE', true],
      ['nota.pdf', 'doc-1', 'classified', 'matched p-1', false],
    ]);
    expect(renderSummary(rows)).toMatch(/4 file\(s\), 3 ok, 1 failed\n$/);
  });

  it('shows a file with no children as it is', () => {
    const rows = summaryRows(
      [{ label: 'vacío.zip', documentId: 'zip-2', duplicateOf: 'zip-0' }],
      [],
    );
    expect(rows).toEqual([
      {
        file: 'vacío.zip',
        documentId: 'zip-2',
        status: 'uploaded (duplicate of zip-0)',
        decision: '',
        failed: false,
      },
    ]);
  });
});
