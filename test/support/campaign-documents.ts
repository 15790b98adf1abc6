import { createHash } from 'node:crypto';
import { generateCorpus, type SyntheticDocument } from '../fixtures/corpus.ts';
import { textPdf } from '../fixtures/files.ts';
import { renderVariant } from '../fixtures/scans.ts';

export type DocumentKind = 'text-pdf' | 'plain-text' | 'scan' | 'reject';
export const DOCUMENT_KINDS: readonly DocumentKind[] = ['text-pdf', 'plain-text', 'scan', 'reject'];

/** Percent of each kind; the text PDFs take what the others leave. */
export interface DocumentMix {
  plainText: number;
  scan: number;
  reject: number;
}

export const DEFAULT_MIX: DocumentMix = { plainText: 25, scan: 1, reject: 8 };

export interface CampaignDocument {
  kind: DocumentKind;
  tenant: number;
  bytes: Buffer;
  fileName: string;
}

/**
 * The campaign's n-th document: a corpus person's page (each person comes back several times, so
 * matching has patients to find again) as a text PDF, a plain-text report or a scan, or a PDF
 * that is not one, which validate rejects. A folio line, or the scan's seed, makes each unique.
 */
export function campaignDocuments(tenants: number, mix: DocumentMix = DEFAULT_MIX) {
  const people: SyntheticDocument[] = generateCorpus({ perTypeAndLanguage: 4 });
  const kindOf = (n: number): DocumentKind => {
    // Spread each kind evenly over the run, whatever n is.
    const bucket = (n * 37) % 100;
    if (bucket < mix.reject) return 'reject';
    if (bucket < mix.reject + mix.scan) return 'scan';
    if (bucket < mix.reject + mix.scan + mix.plainText) return 'plain-text';
    return 'text-pdf';
  };
  return async function document(n: number): Promise<CampaignDocument> {
    const p = n % people.length;
    const person = people[p] as SyntheticDocument;
    const tenant = p % tenants;
    const kind = kindOf(n);
    const folio = `Folio ${n}`;
    switch (kind) {
      case 'reject': {
        const noise = createHash('sha256').update(folio).digest();
        return {
          kind,
          tenant,
          bytes: Buffer.concat([Buffer.from('%PDF-1.7\n'), noise]),
          fileName: `broken-${n}.pdf`,
        };
      }
      case 'scan': {
        const scan = await renderVariant(person, 'png', n);
        return { kind, tenant, bytes: scan.bytes, fileName: `scan-${n}.png` };
      }
      case 'plain-text':
        return {
          kind,
          tenant,
          bytes: Buffer.from(`${[...person.lines, folio].join('\n')}\n`),
          fileName: `report-${n}.txt`,
        };
      case 'text-pdf':
        return {
          kind,
          tenant,
          bytes: await textPdf([...person.lines, folio]),
          fileName: `page-${n}.pdf`,
        };
    }
  };
}
