import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../infra/postgres.ts';
import type { DomainEvent } from '../../schemas/events.ts';
import type { AttemptResult } from './send.ts';

/**
 * The owner's side of the delivery log, which spans tenants: events enqueued for the endpoints
 * that want them, due deliveries claimed, attempts recorded. Not bound by row-level security,
 * like batch completion: each row carries its own tenant.
 */

/** An enabled endpoint, as the intake matches events against it. */
export interface EndpointSubscription {
  endpointId: string;
  tenantId: string;
  eventTypes: ReadonlySet<string>;
  createdAt: number;
}

export async function enabledEndpoints(db: Queryable): Promise<EndpointSubscription[]> {
  const { rows } = await db.query<{
    endpoint_id: string;
    tenant_id: string;
    event_types: string[];
    created_at: Date;
  }>(
    `SELECT endpoint_id, tenant_id, event_types, created_at FROM write_side.webhook_endpoints
     WHERE disabled_at IS NULL`,
  );
  return rows.map((r) => ({
    endpointId: r.endpoint_id,
    tenantId: r.tenant_id,
    eventTypes: new Set(r.event_types),
    createdAt: r.created_at.getTime(),
  }));
}

export interface Enqueued {
  endpointId: string;
  event: DomainEvent;
  payload: string;
}

/** Rows per INSERT: well under PostgreSQL's limit of parameters per statement. */
const ROWS_PER_INSERT = 500;

/** Adds deliveries in the order given; one already there (a re-read of the log) is kept as is. */
export async function enqueue(db: Queryable, deliveries: readonly Enqueued[]): Promise<number> {
  let added = 0;
  for (let i = 0; i < deliveries.length; i += ROWS_PER_INSERT) {
    added += await insertDeliveries(db, deliveries.slice(i, i + ROWS_PER_INSERT));
  }
  return added;
}

async function insertDeliveries(db: Queryable, deliveries: readonly Enqueued[]): Promise<number> {
  if (deliveries.length === 0) return 0;
  const values: unknown[] = [];
  const tuples = deliveries.map(({ endpointId, event, payload }, i) => {
    const m = event.metadata;
    values.push(
      randomUUID(),
      endpointId,
      m.tenantId,
      m.eventId,
      event.type,
      m.aggregateId,
      new Date(m.occurredAt),
      payload,
    );
    const p = i * 8;
    return `($${p + 1}::uuid, $${p + 2}::uuid, $${p + 3}, $${p + 4}, $${p + 5}, $${p + 6}, $${p + 7}::timestamptz, $${p + 8})`;
  });
  // A bigserial takes its values in the order of the VALUES list: `seq` follows the log.
  const { rowCount } = await db.query(
    `INSERT INTO write_side.webhook_deliveries
       (delivery_id, endpoint_id, tenant_id, event_id, event_type, aggregate_id, occurred_at, payload)
     VALUES ${tuples.join(', ')}
     ON CONFLICT (endpoint_id, event_id) DO NOTHING`,
    values,
  );
  return rowCount ?? 0;
}

/** A delivery claimed for one attempt, with what sending it needs. */
export interface ClaimedDelivery {
  deliveryId: string;
  eventId: string;
  eventType: string;
  tenantId: string;
  payload: string;
  occurredAt: Date;
  /** Attempts since it was queued, before this one. */
  queuedAttempts: number;
  url: string;
  secret: string;
}

/**
 * Claims up to `limit` due deliveries, each the oldest one pending for its endpoint and
 * aggregate: a later event of a document waits until the earlier one is delivered or given up
 * on. A claim is a lease: should the attempt never be recorded (a crash), it is due again once
 * `leaseMs` have passed. SKIP LOCKED lets several processes claim side by side.
 */
export async function claimDue(
  db: Queryable,
  limit: number,
  leaseMs: number,
): Promise<ClaimedDelivery[]> {
  const { rows } = await db.query<{
    delivery_id: string;
    event_id: string;
    event_type: string;
    tenant_id: string;
    payload: string;
    occurred_at: Date;
    queued_attempts: number;
    url: string;
    secret: string;
  }>(
    `WITH heads AS (
       SELECT d.delivery_id FROM write_side.webhook_deliveries d
       WHERE d.status = 'pending' AND d.next_attempt_at <= now()
         AND NOT EXISTS (
           SELECT 1 FROM write_side.webhook_deliveries e
           WHERE e.endpoint_id = d.endpoint_id AND e.aggregate_id = d.aggregate_id
             AND e.status = 'pending' AND e.seq < d.seq)
       ORDER BY d.next_attempt_at, d.seq
       LIMIT $1
       FOR UPDATE OF d SKIP LOCKED
     )
     UPDATE write_side.webhook_deliveries d
     SET next_attempt_at = now() + $2 * interval '1 millisecond'
     FROM heads, write_side.webhook_endpoints w
     WHERE d.delivery_id = heads.delivery_id AND w.endpoint_id = d.endpoint_id
     RETURNING d.delivery_id, d.event_id, d.event_type, d.tenant_id, d.payload, d.occurred_at,
       d.queued_attempts, w.url, w.secret`,
    [limit, leaseMs],
  );
  return rows.map((r) => ({
    deliveryId: r.delivery_id,
    eventId: r.event_id,
    eventType: r.event_type,
    tenantId: r.tenant_id,
    payload: r.payload,
    occurredAt: r.occurred_at,
    queuedAttempts: r.queued_attempts,
    url: r.url,
    secret: r.secret,
  }));
}

/** What an attempt leaves a delivery as: delivered, due again after `retryInMs`, or failed. */
export type Settlement =
  | { status: 'delivered' }
  | { status: 'pending'; retryInMs: number }
  | { status: 'failed' };

export async function recordAttempt(
  db: Queryable,
  deliveryId: string,
  result: AttemptResult,
  settlement: Settlement,
): Promise<void> {
  await db.query(
    `UPDATE write_side.webhook_deliveries SET
       status = $2, attempts = attempts + 1, queued_attempts = queued_attempts + 1,
       last_status_code = $3, last_error = $4, last_attempt_at = now(),
       next_attempt_at = now() + $5 * interval '1 millisecond',
       delivered_at = CASE WHEN $2 = 'delivered' THEN now() END
     WHERE delivery_id = $1 AND status = 'pending'`,
    [
      deliveryId,
      settlement.status,
      result.statusCode,
      result.error,
      settlement.status === 'pending' ? settlement.retryInMs : 0,
    ],
  );
}
