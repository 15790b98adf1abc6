-- Up Migration

-- Each tenant's quotas, as an admin set them: configuration, not derived from the log, so it
-- lives with the write side and is never rebuilt. A null limit is no limit; a tenant without a
-- row has none.
CREATE TABLE write_side.tenant_quotas (
  tenant_id text PRIMARY KEY,
  max_stored_bytes bigint CHECK (max_stored_bytes >= 0),
  max_documents_per_day integer CHECK (max_documents_per_day >= 0),
  max_ocr_pages_per_day integer CHECK (max_ocr_pages_per_day >= 0),
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE write_side.tenant_quotas;
