import { DocstreamError } from '../../infra/errors.ts';
import { type Pool, type Queryable, withTenant } from '../../infra/postgres.ts';
import type { ExportName } from '../../schemas/events.ts';
import type { CheckUploadQuota } from '../quotas/guard.ts';
import { parseExportName } from './export-name.ts';

/**
 * What the upload path checks a file against, offered to whoever takes documents out of a zip or
 * an e-mail: the tenant's first document with the same bytes (write_side.intake_contents, under
 * the same advisory lock as uploads), its quotas, and what an export's file name says.
 */
export interface ChildIntakePort {
  firstWith(tenantId: string, sha256: string): Promise<string | null>;
  claim(tenantId: string, sha256: string, documentId: string): Promise<string>;
  overQuota(tenantId: string, upload: { documents: number; bytes: number }): Promise<string | null>;
  exportNameOf(fileName: string): ExportName | null;
}

export function createChildIntake(deps: {
  pool: Pool;
  checkQuota?: CheckUploadQuota;
  /** As for uploads: the content's keyed address is kept, not its SHA-256. */
  contentAddress: (tenantId: string, sha256: string) => string;
}): ChildIntakePort {
  const first = (db: Queryable, tenantId: string, sha256: string) =>
    db.query<{ document_id: string }>(
      `SELECT document_id FROM write_side.intake_contents
       WHERE tenant_id = $1 AND sha256 IN ($2, $3)`,
      [tenantId, deps.contentAddress(tenantId, sha256), sha256],
    );
  return {
    async firstWith(tenantId, sha256) {
      const { rows } = await withTenant(deps.pool, tenantId, (db) => first(db, tenantId, sha256));
      return rows[0]?.document_id ?? null;
    },
    claim: (tenantId, sha256, documentId) =>
      withTenant(deps.pool, tenantId, async (db) => {
        const address = deps.contentAddress(tenantId, sha256);
        await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
          `${tenantId}/${address}`,
        ]);
        const { rows: known } = await first(db, tenantId, sha256);
        if (known[0]) return known[0].document_id;
        await db.query(
          `INSERT INTO write_side.intake_contents (tenant_id, sha256, document_id)
           VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
          [tenantId, address, documentId],
        );
        return documentId;
      }),
    async overQuota(tenantId, upload) {
      try {
        await deps.checkQuota?.(tenantId, upload);
        return null;
      } catch (error) {
        if (error instanceof DocstreamError && error.code === 'QUOTA_EXCEEDED') {
          return error.message;
        }
        throw error;
      }
    },
    exportNameOf: parseExportName,
  };
}
