-- Up Migration

-- The Kafka cluster whose log the read models were folded from. Checkpoints are offsets in that
-- log; against another cluster they would silently skip events.
CREATE TABLE event_log_identity (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  cluster_id text NOT NULL,
  bound_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE event_log_identity;
