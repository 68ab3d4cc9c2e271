-- The vocabulary's closest words by trigram distance, nearest first, from a GiST index (pg_trgm's
-- KNN search) that stops after the first few. The GIN index of migration 0011 must gather every
-- word sharing a trigram with the typed one, and the trigrams of short words are common: at
-- 100,000 datasets (25,000 words) the planner scanned the whole table instead, 30-40 ms a word
-- against about 3 ms here.
CREATE INDEX search_vocabulary_nearest_idx ON search_vocabulary USING gist (word gist_trgm_ops);
