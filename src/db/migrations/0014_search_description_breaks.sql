-- Where the words of each document's descriptions start, as the search's snippets cut them
-- (src/search/highlight.ts, wordBreaks; two bytes each): found once when the document is
-- written instead of for every page of results. Lao words are found with a dictionary, which
-- was two fifths of the time a page's snippets took. NULL for a document written before; its
-- snippets are cut as before, and start-up rebuilds it (the indexer's version was raised with
-- this migration).
ALTER TABLE search_documents
  ADD COLUMN description_lo_breaks bytea,
  ADD COLUMN description_en_breaks bytea;
