-- Up Migration

-- The current round's quality and patient decision of each document. patient_id is the patient
-- as decided at the time; merges are resolved when read.
ALTER TABLE documents
  ADD COLUMN quality_score double precision,
  ADD COLUMN quality_reasons jsonb,
  ADD COLUMN patient_id text,
  ADD COLUMN match_status text,
  ADD COLUMN match_score double precision,
  ADD COLUMN match_method text,
  ADD COLUMN review_id text;
CREATE INDEX documents_by_patient_id ON documents (tenant_id, patient_id)
  WHERE patient_id IS NOT NULL;

-- The patient index. A row may exist before its registration is folded (a merge seen first, as
-- the two events sit on different partitions): registered_at is null until then.
CREATE TABLE patients (
  tenant_id text NOT NULL,
  patient_id text NOT NULL,
  facility text,
  name text,
  surnames text,
  given_names text,
  -- Lower case, accents and extra spaces removed: what the name filter compares.
  name_key text,
  date_of_birth date,
  sex text,
  identifiers jsonb NOT NULL DEFAULT '[]',
  reason text,
  registered_at timestamptz,
  registered_by_document text,
  -- The surviving patient this one was merged into; always a patient that is not merged itself.
  merged_into text,
  PRIMARY KEY (tenant_id, patient_id)
);
CREATE INDEX patients_by_registration ON patients (tenant_id, registered_at DESC, patient_id DESC)
  WHERE merged_into IS NULL;
CREATE INDEX patients_by_survivor ON patients (tenant_id, merged_into) WHERE merged_into IS NOT NULL;

-- The latest round's entities of each document: all of them as read, and the kinds people query
-- one row each.
CREATE TABLE document_entities (
  tenant_id text NOT NULL,
  document_id text NOT NULL,
  round integer NOT NULL,
  date_format text NOT NULL,
  observed_on date,
  extracted_at timestamptz NOT NULL,
  entities jsonb NOT NULL,
  PRIMARY KEY (tenant_id, document_id)
);

CREATE TABLE document_labs (
  tenant_id text NOT NULL,
  document_id text NOT NULL,
  ordinal integer NOT NULL,
  round integer NOT NULL,
  test text NOT NULL,
  test_key text NOT NULL,
  value double precision NOT NULL,
  unit text,
  reference_range text,
  reference_low double precision,
  reference_high double precision,
  flag text,
  flag_source text,
  observed_on date,
  page integer NOT NULL,
  span_start integer NOT NULL,
  span_end integer NOT NULL,
  confidence double precision NOT NULL,
  PRIMARY KEY (tenant_id, document_id, ordinal)
);
CREATE INDEX document_labs_by_test ON document_labs (tenant_id, test_key);

CREATE TABLE document_medications (
  tenant_id text NOT NULL,
  document_id text NOT NULL,
  ordinal integer NOT NULL,
  round integer NOT NULL,
  name text NOT NULL,
  strength text,
  route text,
  frequency text,
  times_per_day double precision,
  observed_on date,
  page integer NOT NULL,
  span_start integer NOT NULL,
  span_end integer NOT NULL,
  confidence double precision NOT NULL,
  PRIMARY KEY (tenant_id, document_id, ordinal)
);

CREATE TABLE document_diagnoses (
  tenant_id text NOT NULL,
  document_id text NOT NULL,
  ordinal integer NOT NULL,
  round integer NOT NULL,
  text text NOT NULL,
  icd10 text,
  observed_on date,
  page integer NOT NULL,
  span_start integer NOT NULL,
  span_end integer NOT NULL,
  confidence double precision NOT NULL,
  PRIMARY KEY (tenant_id, document_id, ordinal)
);

CREATE TABLE document_vitals (
  tenant_id text NOT NULL,
  document_id text NOT NULL,
  ordinal integer NOT NULL,
  round integer NOT NULL,
  kind text NOT NULL,
  value text NOT NULL,
  unit text,
  observed_on date,
  page integer NOT NULL,
  span_start integer NOT NULL,
  span_end integer NOT NULL,
  confidence double precision NOT NULL,
  PRIMARY KEY (tenant_id, document_id, ordinal)
);

CREATE TABLE document_identifiers (
  tenant_id text NOT NULL,
  document_id text NOT NULL,
  ordinal integer NOT NULL,
  round integer NOT NULL,
  kind text NOT NULL,
  value text NOT NULL,
  page integer NOT NULL,
  span_start integer NOT NULL,
  span_end integer NOT NULL,
  confidence double precision NOT NULL,
  PRIMARY KEY (tenant_id, document_id, ordinal)
);
CREATE INDEX document_identifiers_by_value ON document_identifiers (tenant_id, kind, value);

-- Patient-match reviews and what the reviewer decided.
CREATE TABLE reviews (
  tenant_id text NOT NULL,
  review_id text NOT NULL,
  document_id text NOT NULL,
  round integer NOT NULL,
  score double precision NOT NULL,
  subject jsonb NOT NULL,
  candidates jsonb NOT NULL,
  status text NOT NULL,
  requested_at timestamptz NOT NULL,
  requested_by_event text NOT NULL,
  resolved_at timestamptz,
  resolved_by text,
  patient_id text,
  note text,
  PRIMARY KEY (tenant_id, review_id)
);
CREATE INDEX reviews_by_status ON reviews (tenant_id, status, requested_at, review_id);

-- Down Migration
DROP TABLE reviews;
DROP TABLE document_identifiers;
DROP TABLE document_vitals;
DROP TABLE document_diagnoses;
DROP TABLE document_medications;
DROP TABLE document_labs;
DROP TABLE document_entities;
DROP TABLE patients;
DROP INDEX documents_by_patient_id;
ALTER TABLE documents
  DROP COLUMN quality_score, DROP COLUMN quality_reasons, DROP COLUMN patient_id,
  DROP COLUMN match_status, DROP COLUMN match_score, DROP COLUMN match_method,
  DROP COLUMN review_id;
