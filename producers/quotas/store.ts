import type { TenantDatabase } from '../../infra/postgres.ts';
import { NO_QUOTAS, type Quotas } from './decision.ts';

/** A change to a tenant's quotas: an absent limit stays as it is, a null one is cleared. */
export type QuotaChanges = Partial<Quotas>;

export interface QuotaStore {
  get(tenantId: string): Promise<Quotas>;
  set(tenantId: string, changes: QuotaChanges, actor: string): Promise<Quotas>;
}

const COLUMNS: Record<keyof Quotas, string> = {
  maxStoredBytes: 'max_stored_bytes',
  maxDocumentsPerDay: 'max_documents_per_day',
  maxOcrPagesPerDay: 'max_ocr_pages_per_day',
};
const LIMITS = Object.keys(COLUMNS) as (keyof Quotas)[];

interface QuotaRow {
  max_stored_bytes: string | null;
  max_documents_per_day: number | null;
  max_ocr_pages_per_day: number | null;
}

const quotasOf = (row: QuotaRow | undefined): Quotas =>
  row
    ? {
        maxStoredBytes: row.max_stored_bytes === null ? null : Number(row.max_stored_bytes),
        maxDocumentsPerDay: row.max_documents_per_day,
        maxOcrPagesPerDay: row.max_ocr_pages_per_day,
      }
    : NO_QUOTAS;

/** Tenants' quotas, kept by the write side (write_side.tenant_quotas). */
export function createQuotaStore(db: TenantDatabase): QuotaStore {
  return {
    async get(tenantId) {
      const { rows } = await db(tenantId).query<QuotaRow>(
        `SELECT max_stored_bytes, max_documents_per_day, max_ocr_pages_per_day
         FROM write_side.tenant_quotas WHERE tenant_id = $1`,
        [tenantId],
      );
      return quotasOf(rows[0]);
    },
    async set(tenantId, changes, actor) {
      // One statement, so that concurrent changes of different limits both hold.
      const keep = LIMITS.map(
        (limit, i) =>
          `${COLUMNS[limit]} = CASE WHEN $${i + 6} THEN EXCLUDED.${COLUMNS[limit]}
             ELSE tenant_quotas.${COLUMNS[limit]} END`,
      ).join(', ');
      const { rows } = await db(tenantId).query<QuotaRow>(
        `INSERT INTO write_side.tenant_quotas AS tenant_quotas
           (tenant_id, updated_by, ${LIMITS.map((l) => COLUMNS[l]).join(', ')})
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (tenant_id) DO UPDATE SET ${keep}, updated_by = EXCLUDED.updated_by,
           updated_at = now()
         RETURNING max_stored_bytes, max_documents_per_day, max_ocr_pages_per_day`,
        [
          tenantId,
          actor,
          ...LIMITS.map((limit) => changes[limit] ?? null),
          ...LIMITS.map((limit) => changes[limit] !== undefined),
        ],
      );
      return quotasOf(rows[0]);
    },
  };
}
