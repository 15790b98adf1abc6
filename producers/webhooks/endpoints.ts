import { randomBytes, randomUUID } from 'node:crypto';
import { DocstreamError, notFound } from '../../infra/errors.ts';
import type { Queryable, TenantDatabase } from '../../infra/postgres.ts';
import type { EventType } from '../../schemas/events.ts';
import type { SecretBox } from './secret-box.ts';
import { checkWebhookUrl, type UrlPolicy } from './url-policy.ts';

export interface WebhookEndpoint {
  endpointId: string;
  url: string;
  eventTypes: EventType[];
  description: string | null;
  createdBy: string;
  createdAt: string;
  disabledAt: string | null;
}

export interface Registration {
  url: string;
  eventTypes: readonly EventType[];
  description?: string | null;
}

/** A new endpoint and its signing secret, which is shown this once. */
export type RegisteredEndpoint = WebhookEndpoint & { secret: string };

export interface WebhookEndpoints {
  register(
    tenantId: string,
    registration: Registration,
    actor: string,
  ): Promise<RegisteredEndpoint>;
  list(tenantId: string): Promise<WebhookEndpoint[]>;
  get(tenantId: string, endpointId: string): Promise<WebhookEndpoint>;
  /** Stops deliveries to the endpoint: those still pending are recorded as failed. */
  disable(tenantId: string, endpointId: string): Promise<WebhookEndpoint>;
}

interface EndpointRow {
  endpoint_id: string;
  url: string;
  event_types: EventType[];
  description: string | null;
  created_by: string;
  created_at: Date;
  disabled_at: Date | null;
}

const COLUMNS = 'endpoint_id, url, event_types, description, created_by, created_at, disabled_at';

const endpointOf = (row: EndpointRow): WebhookEndpoint => ({
  endpointId: row.endpoint_id,
  url: row.url,
  eventTypes: row.event_types,
  description: row.description,
  createdBy: row.created_by,
  createdAt: row.created_at.toISOString(),
  disabledAt: row.disabled_at?.toISOString() ?? null,
});

export const webhookNotFound = () => notFound('WEBHOOK_NOT_FOUND', 'no such webhook endpoint');
export const webhookDisabled = () =>
  new DocstreamError('conflict', 'WEBHOOK_DISABLED', 'the webhook endpoint is disabled');

/** A Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
export const newWebhookSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

export async function findEndpoint(
  db: Queryable,
  tenantId: string,
  endpointId: string,
): Promise<WebhookEndpoint> {
  const { rows } = await db.query<EndpointRow>(
    `SELECT ${COLUMNS} FROM write_side.webhook_endpoints WHERE tenant_id = $1 AND endpoint_id = $2`,
    [tenantId, endpointId],
  );
  if (!rows[0]) throw webhookNotFound();
  return endpointOf(rows[0]);
}

/** Tenants' webhook endpoints (write_side.webhook_endpoints), as their admins keep them. */
export function createWebhookEndpoints(
  db: TenantDatabase,
  policy: UrlPolicy,
  secrets: SecretBox,
): WebhookEndpoints {
  return {
    async register(tenantId, registration, actor) {
      const url = await checkWebhookUrl(registration.url, policy);
      const secret = newWebhookSecret();
      const { rows } = await db(tenantId).query<EndpointRow>(
        `INSERT INTO write_side.webhook_endpoints
           (endpoint_id, tenant_id, url, event_types, description, secret, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
        [
          randomUUID(),
          tenantId,
          url.toString(),
          [...new Set(registration.eventTypes)],
          registration.description ?? null,
          secrets.seal(secret),
          actor,
        ],
      );
      return { ...endpointOf(rows[0] as EndpointRow), secret };
    },

    async list(tenantId) {
      const { rows } = await db(tenantId).query<EndpointRow>(
        `SELECT ${COLUMNS} FROM write_side.webhook_endpoints WHERE tenant_id = $1
         ORDER BY created_at, endpoint_id`,
        [tenantId],
      );
      return rows.map(endpointOf);
    },

    get: (tenantId, endpointId) => findEndpoint(db(tenantId), tenantId, endpointId),

    async disable(tenantId, endpointId) {
      // One statement: the endpoint and what was still queued for it go together.
      const { rows } = await db(tenantId).query<EndpointRow>(
        `WITH disabled AS (
           UPDATE write_side.webhook_endpoints SET disabled_at = coalesce(disabled_at, now())
           WHERE tenant_id = $1 AND endpoint_id = $2 RETURNING ${COLUMNS}
         ), dropped AS (
           UPDATE write_side.webhook_deliveries SET status = 'failed',
             last_error = 'endpoint disabled'
           WHERE tenant_id = $1 AND endpoint_id = $2 AND status = 'pending'
             AND EXISTS (SELECT 1 FROM disabled)
         )
         SELECT * FROM disabled`,
        [tenantId, endpointId],
      );
      if (!rows[0]) throw webhookNotFound();
      return endpointOf(rows[0]);
    },
  };
}
