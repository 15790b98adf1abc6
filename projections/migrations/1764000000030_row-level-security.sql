-- Up Migration

-- Row-level security: the second wall behind the tenant filter every query carries. The API and
-- the projections connect as a role that owns none of these tables and set docstream.tenant_id in
-- each transaction; a row of another tenant is neither visible nor writable to them, and without
-- a tenant set no row is. The owner (migrations, rebuilds) is not bound by the policies.
-- projection_checkpoints and event_log_identity hold no tenant's rows.

ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON documents
  USING (tenant_id = current_setting('docstream.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('docstream.tenant_id', true));
ALTER TABLE document_timeline ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON document_timeline
  USING (tenant_id = current_setting('docstream.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('docstream.tenant_id', true));
ALTER TABLE document_pages ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON document_pages
  USING (tenant_id = current_setting('docstream.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('docstream.tenant_id', true));
ALTER TABLE patients ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON patients
  USING (tenant_id = current_setting('docstream.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('docstream.tenant_id', true));
ALTER TABLE document_entities ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON document_entities
  USING (tenant_id = current_setting('docstream.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('docstream.tenant_id', true));
ALTER TABLE document_labs ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON document_labs
  USING (tenant_id = current_setting('docstream.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('docstream.tenant_id', true));
ALTER TABLE document_medications ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON document_medications
  USING (tenant_id = current_setting('docstream.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('docstream.tenant_id', true));
ALTER TABLE document_diagnoses ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON document_diagnoses
  USING (tenant_id = current_setting('docstream.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('docstream.tenant_id', true));
ALTER TABLE document_vitals ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON document_vitals
  USING (tenant_id = current_setting('docstream.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('docstream.tenant_id', true));
ALTER TABLE document_identifiers ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON document_identifiers
  USING (tenant_id = current_setting('docstream.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('docstream.tenant_id', true));
ALTER TABLE reviews ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON reviews
  USING (tenant_id = current_setting('docstream.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('docstream.tenant_id', true));
ALTER TABLE batches ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON batches
  USING (tenant_id = current_setting('docstream.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('docstream.tenant_id', true));
ALTER TABLE batch_files ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON batch_files
  USING (tenant_id = current_setting('docstream.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('docstream.tenant_id', true));
ALTER TABLE usage_facts ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON usage_facts
  USING (tenant_id = current_setting('docstream.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('docstream.tenant_id', true));
ALTER TABLE usage_daily ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON usage_daily
  USING (tenant_id = current_setting('docstream.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('docstream.tenant_id', true));
ALTER TABLE audit ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit
  USING (tenant_id = current_setting('docstream.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('docstream.tenant_id', true));

-- Down Migration
DROP POLICY tenant_isolation ON documents;
ALTER TABLE documents DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON document_timeline;
ALTER TABLE document_timeline DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON document_pages;
ALTER TABLE document_pages DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON patients;
ALTER TABLE patients DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON document_entities;
ALTER TABLE document_entities DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON document_labs;
ALTER TABLE document_labs DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON document_medications;
ALTER TABLE document_medications DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON document_diagnoses;
ALTER TABLE document_diagnoses DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON document_vitals;
ALTER TABLE document_vitals DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON document_identifiers;
ALTER TABLE document_identifiers DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON reviews;
ALTER TABLE reviews DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON batches;
ALTER TABLE batches DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON batch_files;
ALTER TABLE batch_files DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON usage_facts;
ALTER TABLE usage_facts DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON usage_daily;
ALTER TABLE usage_daily DISABLE ROW LEVEL SECURITY;
DROP POLICY tenant_isolation ON audit;
ALTER TABLE audit DISABLE ROW LEVEL SECURITY;
