-- One row per attempt to turn a resource's file into a table: queued with the file it reads and
-- the publisher's options, then progress, the validation report and the resulting table.
CREATE TABLE datastore_ingests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  resource_id uuid NOT NULL REFERENCES resources (id),
  blob_sha256 text NOT NULL CHECK (blob_sha256 ~ '^[0-9a-f]{64}$'),
  file_name text,
  -- Sheet, encoding, fixed-width layout and column type overrides.
  options jsonb NOT NULL DEFAULT '{}',
  state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
  job_id uuid,
  attempts integer NOT NULL DEFAULT 0,
  bytes_total bigint,
  bytes_done bigint NOT NULL DEFAULT 0,
  rows_done bigint NOT NULL DEFAULT 0,
  -- Written with the progress; a running ingest whose heartbeat stopped lost its process.
  heartbeat_at timestamptz,
  started_at timestamptz,
  finished_at timestamptz,
  error text,
  report jsonb,
  table_schema jsonb,
  table_name text,
  parquet_sha256 text CHECK (parquet_sha256 ~ '^[0-9a-f]{64}$'),
  row_count bigint,
  created_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX datastore_ingests_resource_idx ON datastore_ingests (resource_id, created_at DESC);
CREATE INDEX datastore_ingests_running_idx ON datastore_ingests (heartbeat_at) WHERE state = 'running';

-- The ingest whose table the data API serves: moved only when a newer ingest has succeeded, so a
-- failed upload keeps the previous table serving.
ALTER TABLE resources ADD COLUMN datastore_ingest_id uuid REFERENCES datastore_ingests (id);
