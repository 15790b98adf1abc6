import path from 'node:path';
import pLimit from 'p-limit';
import pRetry, { AbortError } from 'p-retry';
import { type Api, ApiError } from './api.ts';
import { type LocalFile, LocalFileError, readLocalFile } from './files.ts';
import type { ResumeFile, ResumeState } from './resume.ts';
import type { Outcome } from './summary.ts';
import type { Batch, FileResult } from './types.ts';

/** Files a batch already holds, to be claimed by the local files that sent them. */
export interface AlreadyAccepted {
  /** From the resume file: local path to what was accepted. */
  byPath: Map<string, { sha256: string; documentId: string }>;
  /** From the batch itself: file name to the documents of that name not claimed by path. */
  byName: Map<string, string[]>;
}

export function alreadyAccepted(batch: Batch | null, state: ResumeState | null): AlreadyAccepted {
  const byPath = new Map<string, { sha256: string; documentId: string }>();
  for (const [file, remembered] of Object.entries(state?.files ?? {})) {
    if (remembered.documentId)
      byPath.set(file, { ...remembered, documentId: remembered.documentId });
  }
  const claimed = new Set([...byPath.values()].map((f) => f.documentId));
  const byName = new Map<string, string[]>();
  for (const file of batch?.files ?? []) {
    if (claimed.has(file.documentId)) continue;
    byName.set(file.fileName, [...(byName.get(file.fileName) ?? []), file.documentId]);
  }
  return { byPath, byName };
}

/** File names sent by an interrupted run with no answer: the batch may hold them already. */
export const unanswered = (state: ResumeState | null): string[] =>
  Object.entries(state?.files ?? {})
    .filter(([, remembered]) => remembered.sending)
    .map(([file]) => path.basename(file));

export interface SendOptions {
  api: Api;
  batchId: string;
  resume: ResumeFile;
  concurrency: number;
  /** Called with each file's outcome as soon as it is known. */
  onOutcome: (outcome: Outcome, resumed: boolean) => void;
  retries?: number;
}

/**
 * Uploads `files` into the batch, `concurrency` at a time, one file per request so each is
 * answered on its own. A file the batch already holds is not sent again. A dropped connection,
 * a 5xx or a rate limit is retried with backoff; any other refusal is that file's outcome.
 */
export async function sendFiles(
  files: readonly LocalFile[],
  accepted: AlreadyAccepted,
  { api, batchId, resume, concurrency, onOutcome, retries = 8 }: SendOptions,
): Promise<Outcome[]> {
  const limit = pLimit(concurrency);
  const sendOne = async (file: LocalFile): Promise<Outcome> => {
    const { label } = file;
    let content: Awaited<ReturnType<typeof readLocalFile>>;
    try {
      content = await readLocalFile(file);
    } catch (error) {
      if (!(error instanceof LocalFileError)) throw error;
      return report({ label, error: { code: error.code, message: error.message } });
    }
    const before = claim(accepted, file, content.sha256);
    if (before) {
      await resume.accepted(file.path, content.sha256, before);
      return report({ label, documentId: before, duplicateOf: null }, true);
    }
    await resume.sending(file.path, content.sha256);
    const result = await pRetry(() => post(api, batchId, file, content.bytes), {
      retries,
      minTimeout: 500,
      maxTimeout: 10_000,
    }).catch((error: unknown) => {
      if (error instanceof ApiError) {
        return { fileName: file.fileName, error: { code: error.code, message: error.message } };
      }
      throw error;
    });
    if ('documentId' in result) {
      await resume.accepted(file.path, content.sha256, result.documentId);
      return report({ label, documentId: result.documentId, duplicateOf: result.duplicateOf });
    }
    await resume.refused(file.path);
    const { code, message } = result.error;
    return report({ label, error: { code, message } });
  };
  const report = (outcome: Outcome, resumed = false) => {
    onOutcome(outcome, resumed);
    return outcome;
  };
  return Promise.all(files.map((file) => limit(() => sendOne(file))));
}

function claim(accepted: AlreadyAccepted, file: LocalFile, sha256: string): string | null {
  const remembered = accepted.byPath.get(file.path);
  if (remembered?.sha256 === sha256) return remembered.documentId;
  return accepted.byName.get(file.fileName)?.shift() ?? null;
}

async function post(api: Api, batchId: string, file: LocalFile, bytes: Buffer) {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)]), file.fileName);
  try {
    const { files } = await api.post<{ files: FileResult[] }>(`/batches/${batchId}/files`, form);
    const [result] = files;
    if (!result) throw new AbortError(`no result for ${file.label}`);
    return result;
  } catch (error) {
    // Only what may pass is tried again: a dropped connection, a busy or failing server.
    if (error instanceof ApiError && !error.transient) throw new AbortError(error);
    throw error;
  }
}
