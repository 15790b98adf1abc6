-- Up Migration

-- Each tenant's retention policy, as an admin set it: configuration, not derived from the log, so
-- it lives with the write side. A null limit is none; a null trash delay is the service's default
-- (RETENTION_TRASH_DELAY_HOURS). Fractions are allowed, so a delay may be seconds long.
CREATE TABLE write_side.retention_policies (
  tenant_id text PRIMARY KEY,
  documents_max_age_days double precision CHECK (documents_max_age_days > 0),
  rejected_max_age_days double precision CHECK (rejected_max_age_days > 0),
  trash_delay_hours double precision CHECK (trash_delay_hours >= 0),
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The documents in the trash: the guard that makes deleting twice or restoring what is not
-- deleted a conflict, and what the retention reactor erases once the delay has passed. A restore
-- deletes the row; the reactor deletes it once the document is erased.
CREATE TABLE write_side.document_trash (
  tenant_id text NOT NULL,
  document_id text NOT NULL,
  trashed_at timestamptz NOT NULL,
  trashed_by text NOT NULL,
  trashed_event_id text NOT NULL,
  PRIMARY KEY (tenant_id, document_id)
);
CREATE INDEX document_trash_by_time ON write_side.document_trash (trashed_at);

ALTER TABLE write_side.retention_policies ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON write_side.retention_policies
  USING (tenant_id = current_setting('docstream.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('docstream.tenant_id', true));
ALTER TABLE write_side.document_trash ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON write_side.document_trash
  USING (tenant_id = current_setting('docstream.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('docstream.tenant_id', true));

-- Down Migration
DROP TABLE write_side.document_trash;
DROP TABLE write_side.retention_policies;
