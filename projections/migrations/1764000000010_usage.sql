-- Up Migration

-- Read model: what each tenant used, per UTC day. Each measured fact is recorded once in
-- usage_facts, keyed by document and round, and only a fact recorded for the first time adds to
-- its day's totals: a redelivered event, or a processor's repeat of a round, counts once.
CREATE TABLE usage_facts (
  tenant_id text NOT NULL,
  document_id text NOT NULL,
  round integer NOT NULL,
  -- 'uploaded', 'validated' or 'text-extracted'
  fact text NOT NULL,
  day date NOT NULL,
  -- uploaded: bytes; validated: pages; text-extracted: pages read by OCR.
  amount bigint NOT NULL,
  PRIMARY KEY (tenant_id, document_id, round, fact)
);

CREATE TABLE usage_daily (
  tenant_id text NOT NULL,
  day date NOT NULL,
  documents integer NOT NULL DEFAULT 0,
  bytes bigint NOT NULL DEFAULT 0,
  -- Bytes of uploads that were not a repeat of the tenant's content: what the blob store holds.
  stored_bytes bigint NOT NULL DEFAULT 0,
  pages integer NOT NULL DEFAULT 0,
  ocr_pages integer NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, day)
);

-- Down Migration
DROP TABLE usage_daily;
DROP TABLE usage_facts;
