-- Up Migration

-- Where a document is in the chain, for its current round (1 for the upload, one more per reprocess).
ALTER TABLE documents
  ADD COLUMN round integer NOT NULL DEFAULT 1,
  ADD COLUMN status_reason text,
  ADD COLUMN status_message text,
  ADD COLUMN export_record_number text,
  ADD COLUMN export_type_code text,
  ADD COLUMN export_document_type text,
  ADD COLUMN page_count integer,
  ADD COLUMN text_method text,
  ADD COLUMN text_language text,
  ADD COLUMN text_confidence double precision,
  ADD COLUMN text_chars integer,
  ADD COLUMN document_type text,
  ADD COLUMN classification_confidence double precision,
  ADD COLUMN classification_evidence jsonb;
CREATE INDEX documents_by_type ON documents (tenant_id, document_type, uploaded_at DESC)
  WHERE document_type IS NOT NULL;

ALTER TABLE document_timeline ADD COLUMN round integer NOT NULL DEFAULT 1;

-- Accent-insensitive full-text search with Spanish and English stemming: the two
-- configurations fold accents before stemming, so "cardiaco" finds "cardíaco".
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE TEXT SEARCH CONFIGURATION docstream_es (COPY = spanish);
ALTER TEXT SEARCH CONFIGURATION docstream_es
  ALTER MAPPING FOR hword, hword_part, word WITH unaccent, spanish_stem;
CREATE TEXT SEARCH CONFIGURATION docstream_en (COPY = english);
ALTER TEXT SEARCH CONFIGURATION docstream_en
  ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;

-- The text of each page of a document's latest extraction.
CREATE TABLE document_pages (
  tenant_id text NOT NULL,
  document_id text NOT NULL,
  page integer NOT NULL,
  round integer NOT NULL,
  method text NOT NULL,
  confidence double precision NOT NULL,
  text text NOT NULL,
  search tsvector GENERATED ALWAYS AS (
    to_tsvector('docstream_es'::regconfig, text) || to_tsvector('docstream_en'::regconfig, text)
  ) STORED,
  PRIMARY KEY (tenant_id, document_id, page)
);
CREATE INDEX document_pages_search ON document_pages USING gin (search);

-- Down Migration
DROP TABLE document_pages;
DROP TEXT SEARCH CONFIGURATION docstream_en;
DROP TEXT SEARCH CONFIGURATION docstream_es;
ALTER TABLE document_timeline DROP COLUMN round;
DROP INDEX documents_by_type;
ALTER TABLE documents
  DROP COLUMN round, DROP COLUMN status_reason, DROP COLUMN status_message,
  DROP COLUMN export_record_number, DROP COLUMN export_type_code, DROP COLUMN export_document_type, DROP COLUMN page_count,
  DROP COLUMN text_method, DROP COLUMN text_language, DROP COLUMN text_confidence,
  DROP COLUMN text_chars, DROP COLUMN document_type, DROP COLUMN classification_confidence,
  DROP COLUMN classification_evidence;
