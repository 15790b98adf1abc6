-- Up Migration

-- The write side's memory of each batch: adding files and closing take this row's lock, so the
-- count closed with is the count of files accepted.
CREATE TABLE batch_sessions (
  tenant_id text NOT NULL,
  batch_id text NOT NULL,
  status text NOT NULL CHECK (status IN ('open', 'closed')),
  file_count integer NOT NULL DEFAULT 0,
  -- The BatchClosed event, cause of the batch's BatchCompleted.
  closed_event_id text,
  opened_at timestamptz NOT NULL,
  closed_at timestamptz,
  PRIMARY KEY (tenant_id, batch_id)
);
CREATE INDEX batch_sessions_closed ON batch_sessions (closed_at) WHERE status = 'closed';

-- One row per batch whose BatchCompleted was appended: what makes completion happen once.
CREATE TABLE batch_completions (
  batch_id text PRIMARY KEY,
  tenant_id text NOT NULL,
  completed_at timestamptz NOT NULL
);

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
DROP TABLE batch_completions;
DROP TABLE batch_sessions;
