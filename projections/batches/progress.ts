/** What the documents read model says of one file of a batch (null: not folded there yet). */
export interface FileState {
  readonly status: string | null;
  readonly matchStatus: string | null;
}

export interface BatchCounts {
  readonly files: number;
  /** Files the pipeline is done with: stopped by the chain, or given a patient decision. */
  readonly processed: number;
  /** Rejected or failed by the chain. */
  readonly failed: number;
  /** Assigned to a known patient. */
  readonly matched: number;
  /** Led to a new patient. */
  readonly created: number;
  /** Waiting for a person to decide the patient. */
  readonly inReview: number;
  readonly pending: number;
}

const STOPPED = new Set(['rejected', 'failed']);

export function isTerminal(file: FileState): boolean {
  return (file.status !== null && STOPPED.has(file.status)) || file.matchStatus !== null;
}

export function countFiles(files: readonly FileState[]): BatchCounts {
  const processed = files.filter(isTerminal).length;
  const failed = files.filter((f) => f.status !== null && STOPPED.has(f.status)).length;
  const decided = files.filter((f) => !(f.status !== null && STOPPED.has(f.status)));
  const withMatch = (matchStatus: string) =>
    decided.filter((f) => f.matchStatus === matchStatus).length;
  return {
    files: files.length,
    processed,
    failed,
    matched: withMatch('matched'),
    created: withMatch('registered'),
    inReview: withMatch('review'),
    pending: files.length - processed,
  };
}

/**
 * A closed batch is complete once every file it was closed with has reached the read models and
 * is terminal; fewer files there means some uploads are still being folded.
 */
export function isComplete(closedFileCount: number, files: readonly FileState[]): boolean {
  return files.length === closedFileCount && files.every(isTerminal);
}
