import { sql, type Kysely } from 'kysely';
import type { Viewer } from '../catalog/index.js';
import type { Schema } from '../db/index.js';
import type { Audience } from './facet-queries.js';
import { visibility } from './queries.js';

// The suggestions' queries (suggest.ts): prefixes of titles and keywords, as the user types.

type Db = Kysely<Schema>;

export interface TitleSuggestion {
  slug: string;
  title_lo: string | null;
  title_en: string | null;
}

/** Visible datasets whose folded title starts with `prefix` (byte order: an index range). */
export async function titlesStartingWith(
  db: Db,
  viewer: Viewer,
  prefix: string,
  limit: number,
): Promise<TitleSuggestion[]> {
  const upper = `${prefix}\u{10FFFF}`;
  const where = sql.join(visibility(viewer), sql` AND `);
  const { rows } = await sql<TitleSuggestion>`
    (SELECT d.slug, d.title_lo, d.title_en, d.title_prefix_lo COLLATE "C" AS key FROM search_documents d
     WHERE d.title_prefix_lo COLLATE "C" >= ${prefix} AND d.title_prefix_lo COLLATE "C" < ${upper}
       AND ${where}
     ORDER BY d.title_prefix_lo COLLATE "C" LIMIT ${limit})
    UNION
    (SELECT d.slug, d.title_lo, d.title_en, d.title_prefix_en COLLATE "C" FROM search_documents d
     WHERE d.title_prefix_en COLLATE "C" >= ${prefix} AND d.title_prefix_en COLLATE "C" < ${upper}
       AND ${where}
     ORDER BY d.title_prefix_en COLLATE "C" LIMIT ${limit})
    ORDER BY key LIMIT ${limit}`.execute(db);
  return rows;
}

/** Visible datasets with a word of the title starting with the query's last word. */
export async function titlesWithWord(
  db: Db,
  viewer: Viewer,
  tsquery: string,
  limit: number,
): Promise<TitleSuggestion[]> {
  const where = sql.join(visibility(viewer), sql` AND `);
  // The best of the first matches: ordering them all would read every matching row. The title's
  // terms (weight A) are in the head, tested in the row without reading the whole document.
  const { rows } = await sql<TitleSuggestion>`
    SELECT d.slug, d.title_lo, d.title_en FROM (
      SELECT d.slug, d.title_lo, d.title_en, d.quality, d.modified_at FROM search_documents d
      WHERE d.head @@ ${tsquery}::tsquery AND ${where} LIMIT ${limit * 20}) AS d
    ORDER BY d.quality DESC, d.modified_at DESC LIMIT ${limit}`.execute(db);
  return rows;
}

/** Keywords of visible datasets starting with `prefix`, most used first (among a sample). */
export async function keywordsStartingWith(
  db: Db,
  viewer: Viewer,
  tsquery: string,
  prefix: string,
  limit: number,
): Promise<{ keyword: string; count: number }[]> {
  const where = sql.join(visibility(viewer), sql` AND `);
  const { rows } = await sql<{ keyword: string; count: number }>`
    SELECT k AS keyword, count(*)::int AS count
    FROM (SELECT d.keywords FROM search_documents d
          WHERE d.head @@ ${tsquery}::tsquery AND ${where} LIMIT 200) s,
      unnest(s.keywords) AS k
    WHERE starts_with(k, ${prefix}) OR position(${` ${prefix}`} in k) > 0
    GROUP BY k ORDER BY 2 DESC, 1 LIMIT ${limit}`.execute(db);
  return rows;
}

/**
 * Keywords starting with `prefix`, or with a word of them starting with it, most used first,
 * counted over everything `audience` sees: read from the maintained facet counts.
 */
export async function catalogKeywordsStartingWith(
  db: Db,
  audience: Audience,
  prefix: string,
  limit: number,
): Promise<{ keyword: string; count: number }[]> {
  // Two index reads (migration 0010): those starting with the prefix, a byte-order range; and
  // among keywords of several words, those with a later word starting with it.
  const { rows } = await sql<{ keyword: string; count: number }>`
    SELECT k.keyword, k.count FROM (
      SELECT c.value AS keyword, c.count FROM search_facet_counts c
      WHERE c.audience = ${audience} AND c.facet = 'keyword' AND c.count > 0
        AND c.value COLLATE "C" >= ${prefix} AND c.value COLLATE "C" < ${`${prefix}\u{10FFFF}`}
      UNION
      (SELECT c.value, c.count FROM search_facet_counts c
       WHERE c.audience = ${audience} AND c.facet = 'keyword' AND c.count > 0
         AND strpos(c.value, ' ') > 0 AND position(${` ${prefix}`} in c.value) > 0
       ORDER BY c.count DESC, c.value LIMIT ${limit})) k
    ORDER BY k.count DESC, k.keyword LIMIT ${limit}`.execute(db);
  return rows;
}
