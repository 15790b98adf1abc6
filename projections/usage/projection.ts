import type { DomainEvent } from '../../schemas/events.ts';
import { defineProjection, type SqlStatement, sql } from '../runtime/projection.ts';

/** What a fact adds to its day, by column of usage_daily. */
export interface DailyAmounts {
  documents?: number;
  bytes?: number;
  stored_bytes?: number;
  pages?: number;
  ocr_pages?: number;
}

/** The UTC day an event happened on, as `YYYY-MM-DD`. */
export const utcDay = (epochMs: number): string => new Date(epochMs).toISOString().slice(0, 10);

/**
 * Records a fact of a document's round once and, only when it is new, adds its amounts to the
 * tenant's day: the fact's key, not the event's id, decides, so a second event for the same round
 * (a redelivery, or a processor repeating a step) adds nothing.
 */
function countOnce(
  event: DomainEvent,
  round: number,
  fact: 'uploaded' | 'validated' | 'text-extracted',
  amount: number,
  daily: DailyAmounts,
): SqlStatement {
  const { tenantId, aggregateId, occurredAt } = event.metadata;
  const columns = Object.keys(daily) as (keyof DailyAmounts)[];
  const names = columns.join(', ');
  const params = columns.map((_, i) => `$${i + 7}::bigint`).join(', ');
  const sums = columns.map((c) => `${c} = usage_daily.${c} + EXCLUDED.${c}`).join(', ');
  return sql(
    `WITH recorded AS (
       INSERT INTO usage_facts (tenant_id, document_id, round, fact, day, amount)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT DO NOTHING
       RETURNING tenant_id, day
     )
     INSERT INTO usage_daily (tenant_id, day, ${names})
     SELECT tenant_id, day, ${params} FROM recorded
     ON CONFLICT (tenant_id, day) DO UPDATE SET ${sums}`,
    tenantId,
    aggregateId,
    round,
    fact,
    utcDay(occurredAt),
    amount,
    ...columns.map((c) => daily[c]),
  );
}

/**
 * What each tenant used per UTC day: documents and bytes uploaded, pages validated, pages read
 * by OCR. Pages count per round: a reprocessed document is validated and read again. No event
 * says how long OCR took, so OCR time is not measured.
 */
export const usageProjection = defineProjection({
  name: 'usage',
  handlers: {
    DocumentUploaded: (event) => {
      const { sizeBytes, duplicateOf } = event.data;
      return [
        countOnce(event, 1, 'uploaded', sizeBytes, {
          documents: 1,
          bytes: sizeBytes,
          // A repeat of the tenant's content shares the first document's blob.
          stored_bytes: duplicateOf ? 0 : sizeBytes,
        }),
      ];
    },
    DocumentValidated: (event) => [
      countOnce(event, event.data.round, 'validated', event.data.pageCount, {
        pages: event.data.pageCount,
      }),
    ],
    TextExtracted: (event) => {
      const ocrPages = event.data.pages.filter((p) => p.method === 'ocr').length;
      return [
        countOnce(event, event.data.round, 'text-extracted', ocrPages, { ocr_pages: ocrPages }),
      ];
    },
  },
});
