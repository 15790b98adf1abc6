import type { Queryable } from '../../infra/postgres.ts';
import { documentEntities } from '../entities/queries.ts';
import { documentText } from '../text/queries.ts';

/** Where the document names its patient: the value read and its span on a page's text. */
export interface SubjectMark {
  field: 'name' | 'dateOfBirth' | 'identifier';
  /** For identifiers: record-number, mrn or curp. */
  kind: string | null;
  value: string;
  page: number;
  start: number;
  end: number;
  confidence: number;
}

/** What a reviewer decides from: the document's text and where its subject was read in it. */
export interface ReviewEvidence {
  pages: Array<{ page: number; text: string }>;
  marks: SubjectMark[];
}

interface Span {
  page: number;
  start: number;
  end: number;
  confidence: number;
}
interface Read {
  value?: unknown;
  kind?: unknown;
  span?: Span;
}

const markOf = (field: SubjectMark['field'], read: Read | null | undefined): SubjectMark[] => {
  if (!read?.span || typeof read.value !== 'string') return [];
  const kind = typeof read.kind === 'string' ? read.kind : null;
  return [{ field, kind, value: read.value, ...read.span }];
};

export async function reviewEvidence(
  db: Queryable,
  tenantId: string,
  documentId: string,
): Promise<ReviewEvidence> {
  const [pages, read] = await Promise.all([
    documentText(db, tenantId, documentId),
    documentEntities(db, tenantId, documentId),
  ]);
  const entities = (read?.entities ?? {}) as {
    patientName?: Read | null;
    dateOfBirth?: Read | null;
    identifiers?: Read[];
  };
  const marks = [
    ...markOf('name', entities.patientName),
    ...markOf('dateOfBirth', entities.dateOfBirth),
    ...(entities.identifiers ?? []).flatMap((id) => markOf('identifier', id)),
  ].sort((a, b) => a.page - b.page || a.start - b.start);
  return { pages: pages.map(({ page, text }) => ({ page, text })), marks };
}
