import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Schema } from '../db/index.js';
import { conditions, countLimit, isFiltered, textCondition, type SearchSpec } from './queries.js';

type Db = Kysely<Schema>;

export type FacetName =
  | 'organization'
  | 'theme'
  | 'keyword'
  | 'format'
  | 'license'
  | 'province'
  | 'access_level'
  | 'language';

export interface FacetCount {
  facet: FacetName | 'total';
  value: string | null;
  count: number;
  label_lo: string | null;
  label_en: string | null;
}

/**
 * The total and, for each facet, its most frequent values among the matches (not one page):
 * all of them, or the first `limit` of a broader search.
 */
export async function countFacets(
  db: Db,
  spec: SearchSpec,
  top: number,
  limit: number = countLimit,
): Promise<FacetCount[]> {
  // unnest() in the select list, not as a function in FROM: that one is a scan of its own for
  // each match, which stores its values before reading them back (about a quarter of the
  // counting time for 1,000 matches, as counted then).
  const unnested = (facet: FacetName, column: string) => sql`
    (SELECT ${sql.lit(facet)}::text AS facet, u.v AS value, count(*)::int AS count,
       NULL::text AS label_lo, NULL::text AS label_en
     FROM (SELECT unnest(m.${sql.ref(column)}) AS v FROM m) u GROUP BY 2 ORDER BY 3 DESC, 2
     LIMIT ${top})`;
  const single = (facet: FacetName, column: string) => sql`
    (SELECT ${sql.lit(facet)}::text AS facet, m.${sql.ref(column)} AS value, count(*)::int AS count,
       NULL::text AS label_lo, NULL::text AS label_en
     FROM m WHERE m.${sql.ref(column)} IS NOT NULL GROUP BY 2 ORDER BY 3 DESC, 2 LIMIT ${top})`;
  const { rows } = await sql<FacetCount>`
    WITH m AS MATERIALIZED ${boundedMatches(spec, limit)}
    SELECT 'total'::text AS facet, NULL::text AS value, count(*)::int AS count,
      NULL::text AS label_lo, NULL::text AS label_en FROM m
    UNION ALL
    (SELECT 'organization', m.organization_slug, count(*)::int,
       min(m.organization_title_lo), min(m.organization_title_en)
     FROM m GROUP BY 2 ORDER BY 3 DESC, 2 LIMIT ${top})
    UNION ALL ${unnested('theme', 'themes')}
    UNION ALL ${unnested('keyword', 'keywords')}
    UNION ALL ${unnested('format', 'formats')}
    UNION ALL ${single('license', 'license')}
    UNION ALL ${unnested('province', 'provinces')}
    UNION ALL ${single('access_level', 'access_level')}
    UNION ALL ${unnested('language', 'languages')}`.execute(db);
  return rows;
}

const facetColumns = sql`d.organization_slug, d.organization_title_lo, d.organization_title_en,
  d.themes, d.keywords, d.formats, d.license, d.provinces, d.access_level, d.languages`;

/**
 * The facet columns of at most `limit` matches: for words and no filter, those whose head has
 * them all first, as in rankedCandidates. An index lookup finds every match before the first row
 * is read, and a common word or a short prefix has tens of thousands in the whole documents: for
 * a Lao prefix at 100,000 datasets that lookup took 30 ms against 5 ms in the heads (on a busy
 * machine), more than the rest of the count. The documents are looked up only when the heads
 * have fewer than `limit` matches, and then the count is exact as before: a head's terms are its
 * document's, so every head match is a document match.
 */
function boundedMatches(spec: SearchSpec, limit: number): RawBuilder<unknown> {
  const { match, filter } = spec;
  // A filter's own index narrows the documents' lookup, and a filtered search has fewer
  // matches: there looking up the heads first cost more than it saved (about 10 % more server
  // time for the bench's filtered searches at 100,000 datasets). A head-only match has nothing
  // more to find in the documents.
  if (match.kind !== 'terms' || match.headOnly === true || isFiltered(filter))
    return sql`(SELECT ${facetColumns} FROM search_documents d
      WHERE ${conditions(spec, textCondition(match))} LIMIT ${limit})`;
  return sql`(
    (SELECT ${facetColumns} FROM search_documents d
     WHERE ${conditions(spec, textCondition(match, 'head'))} LIMIT ${limit})
    UNION ALL
    (SELECT ${facetColumns} FROM search_documents d
     WHERE ${conditions(spec, sql<SqlBool>`${textCondition(match)} AND NOT ${textCondition(match, 'head')}`)}
     LIMIT ${limit})
    LIMIT ${limit})`;
}

/** Who the maintained facet counts of migration 0007 were counted for. */
export type Audience = 'public' | 'all';

/**
 * The total and top facet values of everything `audience` may see, unfiltered: read from the
 * counts the trigger on search_documents keeps, a few index ranges instead of a full count.
 */
export async function catalogFacets(
  db: Db,
  audience: Audience,
  top: number,
): Promise<FacetCount[]> {
  const facet = (name: FacetName) => sql`
    (SELECT ${sql.lit(name)}::text AS facet, c.value, c.count, NULL::text AS label_lo,
       NULL::text AS label_en
     FROM search_facet_counts c
     WHERE c.audience = ${audience} AND c.facet = ${sql.lit(name)} AND c.count > 0
     ORDER BY c.count DESC, c.value LIMIT ${top})`;
  const { rows } = await sql<FacetCount>`
    SELECT 'total'::text AS facet, NULL::text AS value, coalesce(max(c.count), 0)::int AS count,
      NULL::text AS label_lo, NULL::text AS label_en
    FROM search_facet_counts c WHERE c.audience = ${audience} AND c.facet = 'total'
    UNION ALL
    (SELECT 'organization'::text, t.value, t.count, o.title_lo, o.title_en
     FROM (SELECT c.value, c.count FROM search_facet_counts c
           WHERE c.audience = ${audience} AND c.facet = 'organization' AND c.count > 0
           ORDER BY c.count DESC, c.value LIMIT ${top}) AS t
       LEFT JOIN organizations o ON o.slug = t.value AND o.deleted_at IS NULL
     ORDER BY t.count DESC, t.value)
    UNION ALL ${facet('theme')}
    UNION ALL ${facet('keyword')}
    UNION ALL ${facet('format')}
    UNION ALL ${facet('license')}
    UNION ALL ${facet('province')}
    UNION ALL ${facet('access_level')}
    UNION ALL ${facet('language')}`.execute(db);
  return rows;
}
