-- Up Migration

-- Read model: each read of patient data, as PatientDataRead recorded it (ids only, no data).
CREATE TABLE audit (
  tenant_id text NOT NULL,
  event_id text NOT NULL,
  occurred_at timestamptz NOT NULL,
  principal text NOT NULL,
  route text NOT NULL,
  method text NOT NULL,
  document_ids text[] NOT NULL,
  patient_ids text[] NOT NULL,
  result_count integer NOT NULL,
  status integer NOT NULL,
  PRIMARY KEY (tenant_id, event_id)
);

-- Newest first, per tenant, and by who read; who read a document or a patient.
CREATE INDEX audit_by_time ON audit (tenant_id, occurred_at DESC, event_id DESC);
CREATE INDEX audit_by_principal ON audit (tenant_id, principal, occurred_at DESC);
CREATE INDEX audit_by_document ON audit USING gin (document_ids);
CREATE INDEX audit_by_patient ON audit USING gin (patient_ids);

-- Down Migration
DROP TABLE audit;
