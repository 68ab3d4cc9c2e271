-- Keyword suggestions (search/suggest) read the maintained keyword counts for keywords starting
-- with what was typed, or with a word of them starting with it. Walking every keyword in count
-- order until enough match costs a scan of all of them (tens of thousands) for a rare prefix.
-- Those starting with it are an index range in byte order; only keywords of several words can
-- have a later word starting with it, and they have an index of their own.
CREATE INDEX search_facet_counts_prefix_idx ON search_facet_counts (audience, facet, (value COLLATE "C"));

CREATE INDEX search_facet_counts_phrases_idx ON search_facet_counts (audience, facet, count DESC, value)
  WHERE strpos(value, ' ') > 0;

-- New entries of a GIN index wait in a pending list, unsorted, until it outgrows
-- gin_pending_list_limit (4 MB by default) or a vacuum merges it; every search reads the whole
-- list. After indexing a catalog that list held hundreds of pages of the head index, and looking
-- up a word in it took 3 ms against 0.05 ms once merged (100,000 datasets). Kept short, it is
-- merged in small batches as documents are written.
ALTER INDEX search_documents_document_idx SET (gin_pending_list_limit = 256);
ALTER INDEX search_documents_head_idx SET (gin_pending_list_limit = 256);
ALTER INDEX search_documents_filters_idx SET (gin_pending_list_limit = 256);
ALTER INDEX search_documents_trigram_idx SET (gin_pending_list_limit = 256);
