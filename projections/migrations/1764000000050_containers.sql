-- Up Migration

-- Documents taken out of a zip or an e-mail point at it; the container shows what became of its
-- entries: how many are child documents, and each refused one with its reason.
ALTER TABLE documents
  ADD COLUMN parent_document_id text,
  ADD COLUMN entry_path text,
  ADD COLUMN children_accepted integer,
  ADD COLUMN children_rejected jsonb;
CREATE INDEX documents_by_parent ON documents (tenant_id, parent_document_id)
  WHERE parent_document_id IS NOT NULL;

ALTER TABLE batch_files ADD COLUMN parent_document_id text;

-- Down Migration
ALTER TABLE batch_files DROP COLUMN parent_document_id;
DROP INDEX documents_by_parent;
ALTER TABLE documents
  DROP COLUMN children_rejected,
  DROP COLUMN children_accepted,
  DROP COLUMN entry_path,
  DROP COLUMN parent_document_id;
