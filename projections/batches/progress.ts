/** What the documents read model says of one file of a batch (null: not folded there yet). */
export interface FileState {
  readonly status: string | null;
  readonly matchStatus: string | null;
  readonly documentId?: string;
  /** Set on a document taken out of one of the batch's zips or e-mails. */
  readonly parentDocumentId?: string | null;
  /** Set on a zip or an e-mail once opened: how many child documents it gave. */
  readonly childrenAccepted?: number | null;
}

/** A zip or an e-mail once opened: its children stand in for it in the counts. */
const isOpenedContainer = (file: FileState) => file.status === 'expanded';

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

export function countFiles(all: readonly FileState[]): BatchCounts {
  const files = all.filter((f) => !isOpenedContainer(f));
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
 * is terminal; fewer files there means some uploads are still being folded. An opened zip or
 * e-mail is done once all its children are there, and they are terminal in turn.
 */
export function isComplete(closedFileCount: number, files: readonly FileState[]): boolean {
  const uploaded = files.filter((f) => !f.parentDocumentId);
  // The children of an opened container are on other partitions: wait until all have arrived.
  const childrenArrived = (container: FileState) =>
    files.filter((f) => f.parentDocumentId && f.parentDocumentId === container.documentId)
      .length === (container.childrenAccepted ?? 0);
  return (
    uploaded.length === closedFileCount &&
    files.every((f) => (isOpenedContainer(f) ? childrenArrived(f) : isTerminal(f)))
  );
}
