-- Up Migration

-- Read models only, in the public schema: everything these migrations make is folded from the log
-- and can be dropped and folded again (`npm run rebuild-read-models`). The write side's own state,
-- which cannot, lives in schema write_side (producers/migrations).

-- Where each projection has got to in each partition; written in the same transaction as the rows.
CREATE TABLE projection_checkpoints (
  projection text NOT NULL,
  topic text NOT NULL,
  partition integer NOT NULL,
  next_offset bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (projection, topic, partition)
);

CREATE TABLE documents (
  tenant_id text NOT NULL,
  document_id text NOT NULL,
  status text NOT NULL,
  file_name text NOT NULL,
  media_type text NOT NULL,
  size_bytes bigint NOT NULL,
  sha256 text NOT NULL,
  blob_ref text NOT NULL,
  external_patient_id text,
  document_type_hint text,
  duplicate_of text,
  correlation_id text NOT NULL,
  uploaded_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, document_id)
);
CREATE INDEX documents_by_upload ON documents (tenant_id, uploaded_at DESC, document_id DESC);
CREATE INDEX documents_by_status ON documents (tenant_id, status, uploaded_at DESC);
CREATE INDEX documents_by_sha256 ON documents (tenant_id, sha256);
CREATE INDEX documents_by_patient ON documents (tenant_id, external_patient_id)
  WHERE external_patient_id IS NOT NULL;

CREATE TABLE document_timeline (
  tenant_id text NOT NULL,
  document_id text NOT NULL,
  event_id text NOT NULL,
  event_type text NOT NULL,
  topic text NOT NULL,
  partition integer NOT NULL,
  "offset" bigint NOT NULL,
  occurred_at timestamptz NOT NULL,
  actor text NOT NULL,
  correlation_id text NOT NULL,
  causation_id text,
  PRIMARY KEY (tenant_id, event_id)
);
CREATE INDEX document_timeline_by_document
  ON document_timeline (tenant_id, document_id, partition, "offset");

-- Down Migration
DROP TABLE document_timeline;
DROP TABLE documents;
DROP TABLE projection_checkpoints;
