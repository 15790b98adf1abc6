-- Up Migration

-- API keys for machines. Only the SHA-256 of each key is kept: a key cannot be read back, only
-- checked. Each key is bound to one tenant and a set of roles, expires, and can be revoked
-- (revoked keys stay, so that `keys list` shows who had access and until when). Credentials are
-- not derived from the log: like the rest of the write side, this is never rebuilt.
CREATE TABLE write_side.api_keys (
  key_id text PRIMARY KEY,
  tenant_id text NOT NULL,
  roles text[] NOT NULL,
  name text,
  key_hash bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX api_keys_tenant ON write_side.api_keys (tenant_id);

-- Down Migration
DROP TABLE write_side.api_keys;
