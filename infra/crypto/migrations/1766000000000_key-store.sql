-- Up Migration

-- The key store: each subject's data key (a patient's, a document's), wrapped by its tenant's
-- key-encryption key, which is derived from the one in the configuration and never stored here.
-- Like the write side, nothing here is derived from the log and nothing is ever rebuilt: losing
-- a row makes what its key sealed unreadable, which is exactly what erasure does on purpose.
--
-- Only the key service's role (DATABASE_KEYS_ROLE) reads and writes these tables; the role the
-- API and projections run as has no grant on this schema at all. A destroyed key keeps its row
-- as a tombstone (wrapped is null): decryption then says the key was destroyed, and no new key
-- is ever made for an erased subject.
CREATE SCHEMA IF NOT EXISTS keystore;

CREATE TABLE keystore.data_keys (
  tenant_id text NOT NULL,
  subject text NOT NULL,
  version integer NOT NULL CHECK (version > 0),
  wrapped bytea,
  -- Which key-encryption key wrapped it (a public fingerprint), for rotation.
  kek_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  destroyed_at timestamptz,
  PRIMARY KEY (tenant_id, subject, version),
  CHECK ((wrapped IS NULL) = (destroyed_at IS NOT NULL))
);

-- A known value sealed with a key derived from the key-encryption key: at start, the service
-- opens it, and refuses to run with a key that does not (a lost or wrong key would otherwise
-- seal new data that nothing could ever read beside the old).
CREATE TABLE keystore.kek_canary (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  kek_id text NOT NULL,
  sealed bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE keystore.kek_canary;
DROP TABLE keystore.data_keys;
