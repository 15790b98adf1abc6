-- Up Migration

-- Row-level security on the write side's tenant-scoped state, as on the read models: commands
-- run in transactions set to the principal's tenant. api_keys is read before any tenant is known
-- (the key names its tenant), so it has no policy; the app role may only read it.

ALTER TABLE write_side.document_rounds ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON write_side.document_rounds
  USING (tenant_id = current_setting('docstream.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('docstream.tenant_id', true));
ALTER TABLE write_side.intake_contents ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON write_side.intake_contents
  USING (tenant_id = current_setting('docstream.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('docstream.tenant_id', true));
ALTER TABLE write_side.review_resolutions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON write_side.review_resolutions
  USING (tenant_id = current_setting('docstream.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('docstream.tenant_id', true));
ALTER TABLE write_side.patient_merges ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON write_side.patient_merges
  USING (tenant_id = current_setting('docstream.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('docstream.tenant_id', true));
ALTER TABLE write_side.batch_sessions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON write_side.batch_sessions
  USING (tenant_id = current_setting('docstream.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('docstream.tenant_id', true));
ALTER TABLE write_side.batch_completions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON write_side.batch_completions
  USING (tenant_id = current_setting('docstream.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('docstream.tenant_id', true));
ALTER TABLE write_side.tenant_quotas ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON write_side.tenant_quotas
  USING (tenant_id = current_setting('docstream.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('docstream.tenant_id', true));

-- Down Migration
DROP POLICY tenant_isolation ON write_side.document_rounds;
ALTER TABLE write_side.document_rounds DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON write_side.intake_contents;
ALTER TABLE write_side.intake_contents DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON write_side.review_resolutions;
ALTER TABLE write_side.review_resolutions DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON write_side.patient_merges;
ALTER TABLE write_side.patient_merges DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON write_side.batch_sessions;
ALTER TABLE write_side.batch_sessions DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON write_side.batch_completions;
ALTER TABLE write_side.batch_completions DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON write_side.tenant_quotas;
ALTER TABLE write_side.tenant_quotas DISABLE ROW LEVEL SECURITY;
