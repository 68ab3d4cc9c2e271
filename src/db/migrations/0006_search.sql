-- The search index: one document per dataset revision someone may be shown (the working copy for
-- its publisher, the published one for everyone else; one row when they are the same revision).
-- Its terms are produced by src/search from folded Lao and English text (DESIGN §6) and stored
-- as a ready tsvector, so PostgreSQL's own parser, which does not know Lao words, never runs.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE search_documents (
  dataset_id uuid NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
  revision integer NOT NULL,
  -- Which viewers are shown this revision: insiders the current one, everyone else the published.
  is_current boolean NOT NULL,
  is_published boolean NOT NULL,
  -- Copied from the dataset row so that the catalog's own visibility condition applies as is.
  organization_id uuid NOT NULL,
  state text NOT NULL,
  published_access_level text,
  -- Bumped when the way documents are built changes; older rows are rebuilt at start-up.
  index_version integer NOT NULL,
  slug text NOT NULL,
  title_lo text,
  title_en text,
  description_lo text,
  description_en text,
  organization_slug text NOT NULL,
  organization_title_lo text,
  organization_title_en text,
  -- Facets, from the revision's metadata.
  themes text[] NOT NULL DEFAULT '{}',
  keywords text[] NOT NULL DEFAULT '{}',
  formats text[] NOT NULL DEFAULT '{}',
  license text,
  provinces text[] NOT NULL DEFAULT '{}',
  access_level text NOT NULL,
  languages text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL,
  modified_at timestamptz NOT NULL,
  -- Sort keys: Lao titles ordered by consonant (a leading vowel is read after it), English folded.
  title_sort_lo text NOT NULL,
  title_sort_en text NOT NULL,
  -- Folded titles, for suggestions as the user types (a prefix range in byte order).
  title_prefix_lo text,
  title_prefix_en text,
  -- 0..1: how complete the description is; a tie-breaker in ranking.
  quality real NOT NULL DEFAULT 0,
  document tsvector NOT NULL,
  -- Folded titles, keywords, organization and resource names: substrings and typos (pg_trgm).
  trigram_text text NOT NULL,
  PRIMARY KEY (dataset_id, revision)
);

CREATE INDEX search_documents_document_idx ON search_documents USING gin (document);
CREATE INDEX search_documents_trigram_idx ON search_documents USING gin (trigram_text gin_trgm_ops);
CREATE INDEX search_documents_created_idx ON search_documents (created_at DESC, dataset_id);
CREATE INDEX search_documents_modified_idx ON search_documents (modified_at DESC, dataset_id);
CREATE INDEX search_documents_organization_idx ON search_documents (organization_id);
CREATE INDEX search_documents_prefix_lo_idx ON search_documents ((title_prefix_lo COLLATE "C"));
CREATE INDEX search_documents_prefix_en_idx ON search_documents ((title_prefix_en COLLATE "C"));
CREATE INDEX search_documents_version_idx ON search_documents (index_version);
