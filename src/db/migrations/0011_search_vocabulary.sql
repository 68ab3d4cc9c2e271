-- Every distinct word of the search documents, with a trigram index: the spelling-correction
-- vocabulary PostgreSQL's pg_trgm documentation recommends. A query in which no word matches
-- (a typo) looks up the closest vocabulary words, a few milliseconds over tens of thousands of
-- short words, and searches the documents for those as ordinary terms through their GIN index,
-- instead of comparing the trigrams of thousands of documents' text with the query.
-- The words are the documents' own lexemes (src/search folds and segments them), so a
-- correction is always a term some document was indexed under.
CREATE TABLE search_vocabulary (
  word text PRIMARY KEY
);

CREATE INDEX search_vocabulary_trigram_idx ON search_vocabulary USING gin (word gin_trgm_ops);

-- Words are only ever added, in the transaction that writes the document. A word whose last
-- document was changed or deleted stays: it is only used to search the documents (whose
-- results are filtered for the viewer as every search is), so a stale word finds nothing there
-- and the search falls through to its next step. Keeping counts instead would update hundreds
-- of shared rows for every document written, the common words' rows by every writer at once.
-- Digits and single letters are left out: no one misspells them into a useful correction.
CREATE FUNCTION search_vocabulary_add() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- In word order, so concurrent writers wait for each other's new words in one order.
  INSERT INTO search_vocabulary (word)
  SELECT DISTINCT t.lexeme
  FROM written_documents d CROSS JOIN LATERAL unnest(d.document) AS t
  WHERE char_length(t.lexeme) BETWEEN 2 AND 40 AND t.lexeme !~ '^[0-9.,]+$'
  ORDER BY 1
  ON CONFLICT (word) DO NOTHING;
  RETURN NULL;
END;
$$;

-- Once per statement: a batch of documents adds its words in one insert.
CREATE TRIGGER search_documents_vocabulary_insert
AFTER INSERT ON search_documents
REFERENCING NEW TABLE AS written_documents
FOR EACH STATEMENT EXECUTE FUNCTION search_vocabulary_add();

CREATE TRIGGER search_documents_vocabulary_update
AFTER UPDATE ON search_documents
REFERENCING NEW TABLE AS written_documents
FOR EACH STATEMENT EXECUTE FUNCTION search_vocabulary_add();

-- Documents indexed before this migration.
INSERT INTO search_vocabulary (word)
SELECT DISTINCT t.lexeme
FROM search_documents d CROSS JOIN LATERAL unnest(d.document) AS t
WHERE char_length(t.lexeme) BETWEEN 2 AND 40 AND t.lexeme !~ '^[0-9.,]+$';
