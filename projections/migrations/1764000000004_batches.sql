-- Up Migration

-- Read model: each batch, and the files that arrived in it.
CREATE TABLE batches (
  tenant_id text NOT NULL,
  batch_id text NOT NULL,
  name text,
  status text NOT NULL,
  -- Set when the batch is closed: how many files it holds.
  file_count integer,
  opened_at timestamptz NOT NULL,
  closed_at timestamptz,
  completed_at timestamptz,
  -- The counts BatchCompleted recorded.
  processed integer,
  failed integer,
  matched integer,
  created integer,
  in_review integer,
  PRIMARY KEY (tenant_id, batch_id)
);

CREATE TABLE batch_files (
  tenant_id text NOT NULL,
  batch_id text NOT NULL,
  document_id text NOT NULL,
  file_name text NOT NULL,
  added_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, batch_id, document_id)
);

-- Down Migration
DROP TABLE batch_files;
DROP TABLE batches;
