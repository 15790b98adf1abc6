import { decodeStoredText } from '../../infra/blobs/stored-text.ts';
import type { DocumentTypeHint } from '../../schemas/events.ts';
import { classifyText } from '../classify/classify-text.ts';
import { extractEntities } from '../extract-entities/extract.ts';
import { assessQuality } from '../extract-entities/quality.ts';
import { plainTextPages } from '../extract-text/plain-text.ts';
import { checkText } from '../validate/text-checks.ts';

/** A page as entity extraction reads it (`DocumentPage` of `document-text.ts`). */
interface TextPage {
  page: number;
  text: string;
  confidence: number;
}

/**
 * The work that grows with a document's size and holds the thread that does it: parsing, decoding,
 * scoring, entity extraction. Each is a pure function of plain data, so a worker thread can do it
 * as well as the caller (`offload.ts` decides which).
 */
export const TASKS = {
  checkText: (bytes: Uint8Array) => checkText(bytes),
  plainTextPages: (input: { bytes: Uint8Array; pageMaxBytes: number }) =>
    plainTextPages(input.bytes, input.pageMaxBytes),
  decodeStoredText: (bytes: Uint8Array) =>
    decodeStoredText(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
  classifyText: (input: { text: string; hint: DocumentTypeHint | null }) =>
    classifyText(input.text, input.hint),
  extractEntities: (input: { pages: TextPage[]; language: string }) => {
    const entities = extractEntities(input.pages, input.language);
    return { entities, quality: assessQuality(input.pages, entities) };
  },
};

export type Tasks = typeof TASKS;
export type TaskName = keyof Tasks;
export type TaskInput<K extends TaskName> = Parameters<Tasks[K]>[0];
export type TaskOutput<K extends TaskName> = ReturnType<Tasks[K]>;

/** What a worker is sent: a task's name and its input. */
export interface TaskRequest<K extends TaskName = TaskName> {
  task: K;
  input: TaskInput<K>;
}

export function runTask<K extends TaskName>({ task, input }: TaskRequest<K>): TaskOutput<K> {
  const work = TASKS[task] as (input: TaskInput<K>) => TaskOutput<K>;
  return work(input);
}
