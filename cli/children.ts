import Table from 'cli-table3';
import type { Api } from './api.ts';

/** What `status` shows of a zip or an e-mail, and of a document taken out of one. */
export interface ContainerView {
  id: string;
  parentDocumentId?: string | null;
  entryPath?: string | null;
  children?: {
    accepted: number;
    rejected: { entryPath: string; reason: string; message: string }[];
  } | null;
}

interface ChildView {
  id: string;
  entryPath: string | null;
  status: string;
  statusReason: string | null;
  duplicateOf: string | null;
}

const plain = { style: { head: [], border: [] } };
const PAGE = 200;

/** Every document taken out of the container, page after page. */
async function childrenOf(api: Api, containerId: string): Promise<ChildView[]> {
  const children: ChildView[] = [];
  let cursor: string | null = null;
  do {
    const after: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page: { items: ChildView[]; nextCursor: string | null } = await api.get(
      `/documents?parentDocumentId=${encodeURIComponent(containerId)}&limit=${PAGE}${after}`,
    );
    children.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return children.sort((a, b) => (a.entryPath ?? '').localeCompare(b.entryPath ?? ''));
}

/** Lines under a document's own: where a child came from, or what became of a container's entries. */
export async function writeContainer(api: Api, doc: ContainerView, out: NodeJS.WritableStream) {
  if (doc.parentDocumentId) {
    out.write(`${'parent'.padEnd(9)} ${doc.parentDocumentId}\n`);
    out.write(`${'entry'.padEnd(9)} ${doc.entryPath ?? ''}\n`);
  }
  if (!doc.children) return;
  const { accepted, rejected } = doc.children;
  out.write(`${'children'.padEnd(9)} ${accepted} accepted, ${rejected.length} refused\n`);
  const table = new Table({ head: ['entry', 'document', 'status'], ...plain });
  for (const child of await childrenOf(api, doc.id)) {
    const status = child.statusReason ? `${child.status} (${child.statusReason})` : child.status;
    const duplicate = child.duplicateOf ? `, duplicate of ${child.duplicateOf}` : '';
    table.push([child.entryPath ?? '', child.id, `${status}${duplicate}`]);
  }
  for (const entry of rejected) table.push([entry.entryPath, '', `refused (${entry.reason})`]);
  out.write(`${table.toString()}\n`);
}
