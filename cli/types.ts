// The shapes of the API's answers the command line reads (see the OpenAPI document at /docs).

export type FileResult =
  | { fileName: string; documentId: string; duplicateOf: string | null }
  | { fileName: string; error: { code: string; message: string } };

export interface BatchCounts {
  files: number;
  processed: number;
  failed: number;
  matched: number;
  created: number;
  inReview: number;
  pending: number;
}

export interface BatchProgress {
  batchId: string;
  status: 'open' | 'closed' | 'completed';
  fileCount: number | null;
  counts: BatchCounts;
}

export interface BatchFile {
  documentId: string;
  fileName: string;
  status: string | null;
  statusReason: string | null;
  documentType: string | null;
  matchStatus: string | null;
  patientId: string | null;
  /** Set for a document taken out of an uploaded zip or e-mail. */
  parentDocumentId?: string | null;
}

export interface Batch extends BatchProgress {
  name: string | null;
  files: BatchFile[];
}
