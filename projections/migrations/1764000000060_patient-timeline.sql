-- Up Migration

-- Every event that names a patient, with where it sits in the log: the patient's own events, a
-- merge under both patients' ids (each naming the other), and each document's decision that
-- names the patient. An as-of read fetches exactly these records from the log and folds them.
CREATE TABLE patient_timeline (
  tenant_id text NOT NULL,
  patient_id text NOT NULL,
  event_id text NOT NULL,
  event_type text NOT NULL,
  -- The other patient of a merge, or the document of a decision.
  related_id text,
  topic text NOT NULL,
  partition integer NOT NULL,
  "offset" bigint NOT NULL,
  occurred_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, patient_id, event_id)
);
CREATE INDEX patient_timeline_by_time ON patient_timeline (tenant_id, patient_id, occurred_at);
CREATE INDEX patient_timeline_by_related ON patient_timeline (tenant_id, related_id)
  WHERE related_id IS NOT NULL;

ALTER TABLE patient_timeline ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON patient_timeline
  USING (tenant_id = current_setting('docstream.tenant_id', true))
  WITH CHECK (tenant_id = current_setting('docstream.tenant_id', true));

-- Down Migration
DROP TABLE patient_timeline;
