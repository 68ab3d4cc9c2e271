-- The catalog listed without a query, in every order a search offers: newest and recently updated
-- had indexes (migration 0006), title order and the quality order of "relevance" did not, so such
-- a listing read and sorted every document (250 ms at 100,000 datasets). With these, each order is
-- an index walk that stops at its page, and searches can always run with sequential scans
-- disabled (see the search service).
CREATE INDEX search_documents_title_lo_idx ON search_documents (title_sort_lo COLLATE "C", dataset_id);
CREATE INDEX search_documents_title_en_idx ON search_documents (title_sort_en COLLATE "C", dataset_id);
CREATE INDEX search_documents_quality_idx ON search_documents (quality DESC, modified_at DESC, dataset_id);
