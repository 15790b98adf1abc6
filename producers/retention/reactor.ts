import { DocstreamError } from '../../infra/errors.ts';
import type { Logger } from '../../infra/logger.ts';
import { type Pool, type PoolClient, withTransaction } from '../../infra/postgres.ts';
import { agedDocuments } from './aged.ts';
import {
  cutoffs,
  type DueErasure,
  due,
  RETENTION_PRINCIPAL,
  type RetainedDocument,
} from './policy.ts';
import { allPolicies } from './store.ts';

/** The erasure path, as retention uses it: the same command `POST /documents/:id/erase` runs. */
export type EraseDocument = (request: {
  tenantId: string;
  documentId: string;
  principal: string;
  reason: string;
}) => Promise<unknown>;

export interface RetentionDeps {
  /** The owner's: every tenant's policies, trash and documents are looked at together. */
  pool: Pool;
  eraseDocument: EraseDocument;
  logger: Logger;
  now: () => number;
  settings: { intervalMs: number; trashDelayHours: number; maxErasuresPerPass: number };
}

export interface RunningRetention {
  /** One pass over the policies; resolves to the number of documents it erased. */
  pass(): Promise<number>;
  stop(): Promise<void>;
}

/** Held for a pass, so that one process applies the policies at a time. */
const LOCK = "hashtext('docstream.retention')";

const keyOf = (tenantId: string, documentId: string) => `${tenantId}\u0000${documentId}`;

interface TrashRow {
  tenant_id: string;
  document_id: string;
  trashed_at: Date;
}

/** Erased already, or never there: what a repeated erasure answers. Either way, done. */
const alreadyGone = (error: unknown) =>
  error instanceof DocstreamError && (error.kind === 'conflict' || error.kind === 'not-found');

/**
 * Applies the tenants' retention policies every `intervalMs`: documents in the trash past its
 * delay, rejected uploads and documents past their age are erased through the erasure path, as
 * `system:retention`, with a reason naming the policy. What to erase is decided by `due` (pure)
 * over the trash and the candidates the documents read model gives.
 */
export function startRetention(deps: RetentionDeps): RunningRetention {
  const { pool, settings } = deps;
  const log = deps.logger.child({ component: 'retention' });

  /** What is due now, and when each document was trashed (the row the erasure holds). */
  const decide = async (now: number) => {
    const policies = await allPolicies(pool);
    const shortest = Math.min(
      settings.trashDelayHours,
      ...[...policies.values()].map((p) => p.trashDelayHours ?? settings.trashDelayHours),
    );
    const { rows: trash } = await pool.query<TrashRow>(
      `SELECT tenant_id, document_id, trashed_at FROM write_side.document_trash
       WHERE trashed_at <= $1 ORDER BY trashed_at LIMIT $2`,
      [new Date(now - shortest * 3_600_000), settings.maxErasuresPerPass * 10],
    );
    const documents = new Map<string, RetainedDocument>();
    for (const [tenantId, policy] of policies) {
      const { uploadedBefore, rejectedBefore } = cutoffs(policy, now, settings.trashDelayHours);
      if (uploadedBefore === null && rejectedBefore === null) continue;
      const before = { uploadedBefore, rejectedBefore };
      const aged = await agedDocuments(pool, tenantId, before, settings.maxErasuresPerPass);
      for (const d of aged) documents.set(keyOf(tenantId, d.documentId), d);
    }
    for (const row of trash) {
      const key = keyOf(row.tenant_id, row.document_id);
      const trashedAt = row.trashed_at.getTime();
      const known = documents.get(key);
      // Uploaded no later than it was trashed: a bound that never makes an age erase early.
      documents.set(
        key,
        known
          ? { ...known, trashedAt }
          : {
              tenantId: row.tenant_id,
              documentId: row.document_id,
              uploadedAt: trashedAt,
              rejectedAt: null,
              trashedAt,
            },
      );
    }
    const erasures = due(policies, [...documents.values()], now, settings.trashDelayHours);
    return { erasures, documents };
  };

  /**
   * Erases one document, holding its trash row (if any) so that a restore waits and then finds
   * nothing to restore; the row goes once the erasure is done. A trashed document restored or
   * trashed again since the decision is left alone.
   */
  const erase = (erasure: DueErasure, trashedAt: number | null) =>
    withTransaction(pool, async (db: PoolClient) => {
      const { rows } = await db.query<{ trashed_at: Date }>(
        `SELECT trashed_at FROM write_side.document_trash
         WHERE tenant_id = $1 AND document_id = $2 FOR UPDATE`,
        [erasure.tenantId, erasure.documentId],
      );
      if (erasure.rule === 'trash-delay' && rows[0]?.trashed_at.getTime() !== trashedAt) {
        return false;
      }
      try {
        await deps.eraseDocument({
          tenantId: erasure.tenantId,
          documentId: erasure.documentId,
          principal: RETENTION_PRINCIPAL,
          reason: erasure.reason,
        });
      } catch (error) {
        if (!alreadyGone(error)) throw error;
      }
      await db.query(
        'DELETE FROM write_side.document_trash WHERE tenant_id = $1 AND document_id = $2',
        [erasure.tenantId, erasure.documentId],
      );
      return true;
    });

  const pass = () =>
    withTransaction(pool, async (lock) => {
      const { rows } = await lock.query<{ held: boolean }>(
        `SELECT pg_try_advisory_xact_lock(${LOCK}) AS held`,
      );
      if (!rows[0]?.held) return 0;
      const now = deps.now();
      const { erasures, documents } = await decide(now);
      let erased = 0;
      for (const erasure of erasures.slice(0, settings.maxErasuresPerPass)) {
        const { trashedAt } = documents.get(keyOf(erasure.tenantId, erasure.documentId)) ?? {};
        try {
          if (await erase(erasure, trashedAt ?? null)) erased++;
        } catch (err) {
          // Ids only: the reason and the rule name no patient data.
          log.warn(
            { err, tenantId: erasure.tenantId, documentId: erasure.documentId, rule: erasure.rule },
            'retention could not erase a document; the next pass tries again',
          );
        }
      }
      return erased;
    });

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = pass()
      .then((erased) => {
        if (erased > 0) log.info({ erased }, 'retention erased documents');
      })
      .catch((err: unknown) => log.warn({ err }, 'retention pass failed; the next one retries'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, settings.intervalMs);
      });
  };
  timer = setTimeout(tick, settings.intervalMs);

  return {
    pass,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
