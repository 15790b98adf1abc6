-- Up Migration

-- Webhook endpoints, as a tenant's admin registered them: configuration, not derived from the
-- log, so it lives with the write side. The secret signs every delivery; it is shown once, at
-- registration, and never again by the API. Disabling keeps the row (and its delivery log).
CREATE TABLE write_side.webhook_endpoints (
  endpoint_id uuid PRIMARY KEY,
  tenant_id text NOT NULL,
  url text NOT NULL,
  event_types text[] NOT NULL CHECK (cardinality(event_types) > 0),
  description text,
  secret text NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  disabled_at timestamptz
);
CREATE INDEX webhook_endpoints_enabled
  ON write_side.webhook_endpoints (tenant_id) WHERE disabled_at IS NULL;

-- The delivery log, which is also the queue: one row per endpoint and event, written when the
-- event is consumed, sent in `seq` order per endpoint and aggregate. The payload is kept as
-- the exact bytes signed, so a retry or a redelivery sends the same body.
CREATE TABLE write_side.webhook_deliveries (
  delivery_id uuid PRIMARY KEY,
  seq bigserial NOT NULL UNIQUE,
  endpoint_id uuid NOT NULL REFERENCES write_side.webhook_endpoints (endpoint_id),
  tenant_id text NOT NULL,
  event_id text NOT NULL,
  event_type text NOT NULL,
  aggregate_id text NOT NULL,
  occurred_at timestamptz NOT NULL,
  payload text NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  -- Every attempt ever made, and those since it was last queued (what the retry limit counts).
  attempts integer NOT NULL DEFAULT 0,
  queued_attempts integer NOT NULL DEFAULT 0,
  last_status_code integer,
  last_error text,
  last_attempt_at timestamptz,
  -- When a pending delivery may next be tried; a claimed one's lease runs until then.
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz,
  UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_pending
  ON write_side.webhook_deliveries (endpoint_id, aggregate_id, seq) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_due
  ON write_side.webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_log ON write_side.webhook_deliveries (endpoint_id, seq DESC);

ALTER TABLE write_side.webhook_endpoints ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON write_side.webhook_endpoints
  USING (tenant_id = current_setting('docstream.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('docstream.tenant_id', true));
ALTER TABLE write_side.webhook_deliveries ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON write_side.webhook_deliveries
  USING (tenant_id = current_setting('docstream.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('docstream.tenant_id', true));

-- Down Migration
DROP TABLE write_side.webhook_deliveries;
DROP TABLE write_side.webhook_endpoints;
