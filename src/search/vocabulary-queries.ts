import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/index.js';
import { anyOf } from './queries.js';

/** A vocabulary word close in spelling to a word of the query (see migration 0011). */
export interface CloseWord {
  typed: string;
  word: string;
  score: number;
}

/**
 * For each typed word, the `perWord` vocabulary words most similar to it by trigrams, at least
 * `pg_trgm.similarity_threshold` (set by the caller, see withSettings). The vocabulary holds
 * every document's words, hidden ones too: use them to search, never show them as they are.
 */
export async function closeWords(
  db: Kysely<Schema>,
  typed: readonly string[],
  perWord: number,
): Promise<CloseWord[]> {
  if (typed.length === 0) return [];
  const { rows } = await sql<CloseWord>`
    SELECT t.typed, v.word, v.score
    FROM unnest(${anyOf(typed)}) AS t (typed)
      CROSS JOIN LATERAL (
        SELECT w.word, similarity(w.word, t.typed)::float8 AS score
        FROM search_vocabulary w WHERE w.word % t.typed
        ORDER BY w.word <-> t.typed LIMIT ${perWord}) AS v`.execute(db);
  // Nearest first from the index (migration 0012); equally close words in a stable order here.
  const at = (word: CloseWord) => typed.indexOf(word.typed);
  return rows.sort((a, b) => at(a) - at(b) || b.score - a.score || (a.word < b.word ? -1 : 1));
}
