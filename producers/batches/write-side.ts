import type { UploadIntake } from '../upload/intake.ts';
import { type AddFiles, createAddFiles } from './add-files.ts';
import {
  type CloseBatch,
  createCloseBatch,
  createOpenBatch,
  type OpenBatch,
} from './open-close.ts';
import type { BatchSessionDeps } from './sessions.ts';

/** The commands a client issues on batches. */
export interface BatchWriteSide {
  open: OpenBatch;
  addFiles: AddFiles;
  close: CloseBatch;
}

export function createBatchWriteSide(
  deps: BatchSessionDeps & { intake: UploadIntake },
): BatchWriteSide {
  return {
    open: createOpenBatch(deps),
    addFiles: createAddFiles(deps),
    close: createCloseBatch(deps),
  };
}
