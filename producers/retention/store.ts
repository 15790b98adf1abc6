import type { EventLog } from '../../infra/kafka/event-log.ts';
import { type Pool, type Queryable, withTenant } from '../../infra/postgres.ts';
import type { RetentionPolicyChanged } from '../../schemas/events.ts';
import { eventLogUnavailable } from '../errors.ts';
import { type EventStamp, newMetadata } from '../event-metadata.ts';
import { NO_POLICY, type RetentionPolicy } from './policy.ts';

/** A change to a tenant's policy: an absent limit stays as it is, a null one is cleared. */
export type RetentionChanges = Partial<RetentionPolicy>;

export interface RetentionStore {
  get(tenantId: string): Promise<RetentionPolicy>;
  /** Sets the policy and records the change on the audit log, or changes nothing. */
  set(
    tenantId: string,
    changes: RetentionChanges,
    who: { actor: string; correlationId: string },
  ): Promise<RetentionPolicy>;
}

const COLUMNS: Record<keyof RetentionPolicy, string> = {
  documentsMaxAgeDays: 'documents_max_age_days',
  rejectedMaxAgeDays: 'rejected_max_age_days',
  trashDelayHours: 'trash_delay_hours',
};
const LIMITS = Object.keys(COLUMNS) as (keyof RetentionPolicy)[];
const SELECTED = LIMITS.map((l) => COLUMNS[l]).join(', ');

interface PolicyRow {
  tenant_id: string;
  documents_max_age_days: number | null;
  rejected_max_age_days: number | null;
  trash_delay_hours: number | null;
}

export const policyOf = (row: PolicyRow | undefined): RetentionPolicy =>
  row
    ? {
        documentsMaxAgeDays: row.documents_max_age_days,
        rejectedMaxAgeDays: row.rejected_max_age_days,
        trashDelayHours: row.trash_delay_hours,
      }
    : NO_POLICY;

/** Every tenant's policy that has one; read as the owner, across tenants. */
export async function allPolicies(db: Queryable): Promise<Map<string, RetentionPolicy>> {
  const { rows } = await db.query<PolicyRow>(
    `SELECT tenant_id, ${SELECTED} FROM write_side.retention_policies`,
  );
  return new Map(rows.map((row) => [row.tenant_id, policyOf(row)]));
}

/**
 * Tenants' retention policies (write_side.retention_policies). A change is committed only once
 * the audit log has taken its `RetentionPolicyChanged`, so no policy applies unrecorded.
 */
export function createRetentionStore(deps: {
  /** Connected as the app role. */
  pool: Pool;
  eventLog: EventLog;
  stamp: EventStamp;
}): RetentionStore {
  return {
    async get(tenantId) {
      return withTenant(deps.pool, tenantId, async (db) => {
        const { rows } = await db.query<PolicyRow>(
          `SELECT tenant_id, ${SELECTED} FROM write_side.retention_policies WHERE tenant_id = $1`,
          [tenantId],
        );
        return policyOf(rows[0]);
      });
    },
    async set(tenantId, changes, who) {
      return withTenant(deps.pool, tenantId, async (db) => {
        // One statement, so that concurrent changes of different limits both hold.
        const keep = LIMITS.map(
          (limit, i) =>
            `${COLUMNS[limit]} = CASE WHEN $${i + 6} THEN EXCLUDED.${COLUMNS[limit]}
               ELSE policies.${COLUMNS[limit]} END`,
        ).join(', ');
        const { rows } = await db.query<PolicyRow>(
          `INSERT INTO write_side.retention_policies AS policies (tenant_id, updated_by, ${SELECTED})
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (tenant_id) DO UPDATE SET ${keep}, updated_by = EXCLUDED.updated_by,
             updated_at = now()
           RETURNING tenant_id, ${SELECTED}`,
          [
            tenantId,
            who.actor,
            ...LIMITS.map((limit) => changes[limit] ?? null),
            ...LIMITS.map((limit) => changes[limit] !== undefined),
          ],
        );
        const policy = policyOf(rows[0]);
        const event: RetentionPolicyChanged = {
          type: 'RetentionPolicyChanged',
          // Keyed by the tenant, as the audit log is: a tenant's changes are one partition, in order.
          metadata: newMetadata(deps.stamp, {
            tenantId,
            aggregateId: tenantId,
            correlationId: who.correlationId,
            actor: who.actor,
          }),
          data: { principal: who.actor, ...policy },
        };
        try {
          await deps.eventLog.append(event);
        } catch (cause) {
          throw eventLogUnavailable(cause);
        }
        return policy;
      });
    },
  };
}
