import { DocstreamError, notFound } from '../../infra/errors.ts';
import type { TenantDatabase } from '../../infra/postgres.ts';
import { findEndpoint, webhookDisabled } from './endpoints.ts';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One event for one endpoint: its attempts so far and how the last one went. */
export interface Delivery {
  deliveryId: string;
  eventId: string;
  eventType: string;
  aggregateId: string;
  status: DeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

export interface DeliveryLog {
  /** The endpoint's deliveries, newest first. */
  list(
    tenantId: string,
    endpointId: string,
    page: { limit: number; status?: DeliveryStatus },
  ): Promise<Delivery[]>;
  /** Queues a delivered or failed delivery again, with a fresh budget of attempts. */
  redeliver(tenantId: string, endpointId: string, deliveryId: string): Promise<Delivery>;
}

interface DeliveryRow {
  delivery_id: string;
  event_id: string;
  event_type: string;
  aggregate_id: string;
  status: DeliveryStatus;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  last_attempt_at: Date | null;
  next_attempt_at: Date;
  created_at: Date;
  delivered_at: Date | null;
}

const COLUMNS = `delivery_id, event_id, event_type, aggregate_id, status, attempts, last_status_code,
  last_error, last_attempt_at, next_attempt_at, created_at, delivered_at`;

const deliveryOf = (row: DeliveryRow): Delivery => ({
  deliveryId: row.delivery_id,
  eventId: row.event_id,
  eventType: row.event_type,
  aggregateId: row.aggregate_id,
  status: row.status,
  attempts: row.attempts,
  lastStatusCode: row.last_status_code,
  lastError: row.last_error,
  lastAttemptAt: row.last_attempt_at?.toISOString() ?? null,
  nextAttemptAt: row.status === 'pending' ? row.next_attempt_at.toISOString() : null,
  createdAt: row.created_at.toISOString(),
  deliveredAt: row.delivered_at?.toISOString() ?? null,
});

const deliveryNotFound = () => notFound('WEBHOOK_DELIVERY_NOT_FOUND', 'no such delivery');

/** The delivery log as one tenant's admin sees it. `onQueued` hears of each redelivery. */
export function createDeliveryLog(
  db: TenantDatabase,
  onQueued: () => void = () => {},
): DeliveryLog {
  return {
    async list(tenantId, endpointId, { limit, status }) {
      await findEndpoint(db(tenantId), tenantId, endpointId);
      const { rows } = await db(tenantId).query<DeliveryRow>(
        `SELECT ${COLUMNS} FROM write_side.webhook_deliveries
         WHERE tenant_id = $1 AND endpoint_id = $2 AND ($3::text IS NULL OR status = $3)
         ORDER BY seq DESC LIMIT $4`,
        [tenantId, endpointId, status ?? null, limit],
      );
      return rows.map(deliveryOf);
    },

    async redeliver(tenantId, endpointId, deliveryId) {
      const endpoint = await findEndpoint(db(tenantId), tenantId, endpointId);
      if (endpoint.disabledAt) throw webhookDisabled();
      const { rows } = await db(tenantId).query<DeliveryRow & { was: DeliveryStatus }>(
        `WITH found AS (
           SELECT delivery_id, status AS was FROM write_side.webhook_deliveries
           WHERE tenant_id = $1 AND endpoint_id = $2 AND delivery_id = $3
         ), queued AS (
           UPDATE write_side.webhook_deliveries d SET status = 'pending', queued_attempts = 0,
             next_attempt_at = now(), delivered_at = NULL
           FROM found WHERE d.delivery_id = found.delivery_id AND found.was <> 'pending'
           RETURNING ${COLUMNS.split(',')
             .map((c) => `d.${c.trim()}`)
             .join(', ')}
         )
         SELECT found.was, queued.* FROM found LEFT JOIN queued USING (delivery_id)`,
        [tenantId, endpointId, deliveryId],
      );
      const row = rows[0];
      if (!row) throw deliveryNotFound();
      if (row.was === 'pending') {
        throw new DocstreamError(
          'conflict',
          'WEBHOOK_DELIVERY_PENDING',
          'the delivery is still queued: it is being tried',
        );
      }
      onQueued();
      return deliveryOf(row);
    },
  };
}
