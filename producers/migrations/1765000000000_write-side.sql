-- Up Migration

-- The write side's own state: what the commands check and claim, in the same transaction that
-- appends their event, so that a command is accepted once (one round number per reprocess, one
-- resolution per review, one merge per patient, one first document per content, one count of
-- files per batch, one completion per batch).
--
-- This is NOT a read model and can NOT be rebuilt from the log: it is the guard that makes the
-- commands safe. It lives in its own schema, with its own migrations (write_side.pgmigrations),
-- and rebuilding the read models (`npm run rebuild-read-models`) never touches it. Back it up
-- with the log; never drop it to "rebuild".
--
-- Databases made before this schema existed hold these tables in public: they are moved here,
-- rows, indexes and all; anywhere else they are created.
CREATE SCHEMA IF NOT EXISTS write_side;

-- Each document's latest round (2 after its first reprocess): the next reprocess takes one more.
ALTER TABLE IF EXISTS public.document_rounds SET SCHEMA write_side;
CREATE TABLE IF NOT EXISTS write_side.document_rounds (
  tenant_id text NOT NULL,
  document_id text NOT NULL,
  round integer NOT NULL,
  PRIMARY KEY (tenant_id, document_id)
);

-- The first document per tenant and sha256, so a repeat upload is recorded as pointing at it.
ALTER TABLE IF EXISTS public.intake_contents SET SCHEMA write_side;
CREATE TABLE IF NOT EXISTS write_side.intake_contents (
  tenant_id text NOT NULL,
  sha256 text NOT NULL,
  document_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, sha256)
);

-- Resolved reviews: two concurrent resolutions of one review cannot both be accepted.
ALTER TABLE IF EXISTS public.review_resolutions SET SCHEMA write_side;
CREATE TABLE IF NOT EXISTS write_side.review_resolutions (
  tenant_id text NOT NULL,
  review_id text NOT NULL,
  resolution text NOT NULL,
  patient_id text,
  resolved_by text NOT NULL,
  resolved_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, review_id)
);

-- Merges: a patient is merged away at most once.
ALTER TABLE IF EXISTS public.patient_merges SET SCHEMA write_side;
CREATE TABLE IF NOT EXISTS write_side.patient_merges (
  tenant_id text NOT NULL,
  merged_id text NOT NULL,
  survivor_id text NOT NULL,
  merged_by text NOT NULL,
  merged_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, merged_id)
);

-- Each batch: adding files and closing take this row's lock, so the count closed with is the
-- count of files accepted.
ALTER TABLE IF EXISTS public.batch_sessions SET SCHEMA write_side;
CREATE TABLE IF NOT EXISTS write_side.batch_sessions (
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
CREATE INDEX IF NOT EXISTS batch_sessions_closed
  ON write_side.batch_sessions (closed_at) WHERE status = 'closed';

-- One row per batch whose BatchCompleted was appended: what makes completion happen once.
ALTER TABLE IF EXISTS public.batch_completions SET SCHEMA write_side;
CREATE TABLE IF NOT EXISTS write_side.batch_completions (
  batch_id text PRIMARY KEY,
  tenant_id text NOT NULL,
  completed_at timestamptz NOT NULL
);

-- Down Migration
-- Back where they were, rows and all: state that cannot be rebuilt is never dropped here.
ALTER TABLE write_side.batch_completions SET SCHEMA public;
ALTER TABLE write_side.batch_sessions SET SCHEMA public;
ALTER TABLE write_side.patient_merges SET SCHEMA public;
ALTER TABLE write_side.review_resolutions SET SCHEMA public;
ALTER TABLE write_side.intake_contents SET SCHEMA public;
ALTER TABLE write_side.document_rounds SET SCHEMA public;
