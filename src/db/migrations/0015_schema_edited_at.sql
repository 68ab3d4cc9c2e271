-- When a publisher last edited a finished ingest's schema (titles, types of display, constraints)
-- without a new table being read. The data API's Last-Modified is the later of this and
-- finished_at: an edit changes what answers show, so a client revalidating with
-- If-Modified-Since must not keep the old titles. NULL: never edited.
ALTER TABLE datastore_ingests
  ADD COLUMN schema_edited_at timestamptz;
