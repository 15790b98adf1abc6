-- Up Migration

-- When the document was deleted into the trash; null when it is not there. A trashed document
-- is left out of listings, search and reads until it is restored or erased.
ALTER TABLE documents ADD COLUMN trashed_at timestamptz;

-- Down Migration
ALTER TABLE documents DROP COLUMN trashed_at;
