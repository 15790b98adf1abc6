-- Up Migration

-- Erasures join the audit trail: who erased which ids and why. Reads have no reason.
ALTER TABLE audit ADD COLUMN reason text;

-- Down Migration
ALTER TABLE audit DROP COLUMN reason;
