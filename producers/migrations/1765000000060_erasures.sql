-- Up Migration

-- Every subject erased (`patient:<id>` or `document:<id>`), who erased it and why: the guard that
-- makes a second erasure a conflict, kept by the write side since read models drop the subject's
-- rows. Ids, principal and reason only, never patient data.
CREATE TABLE write_side.erasures (
  tenant_id text NOT NULL,
  subject text NOT NULL,
  erased_at timestamptz NOT NULL DEFAULT now(),
  erased_by text NOT NULL,
  reason text NOT NULL,
  event_id text NOT NULL,
  PRIMARY KEY (tenant_id, subject)
);

ALTER TABLE write_side.erasures ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON write_side.erasures
  USING (tenant_id = current_setting('docstream.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('docstream.tenant_id', true));

-- Down Migration
DROP TABLE write_side.erasures;
