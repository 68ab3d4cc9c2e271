import { sql, type Expression, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import { insiderCondition, visibleCondition, type Viewer } from '../catalog/index.js';
import type { Schema } from '../db/index.js';
import type { SearchDocumentRow } from './document.js';

type Db = Kysely<Schema>;

/** Filters, all optional; several values of one filter mean any of them. */
export interface SearchFilter {
  organizationIds?: string[] | undefined;
  themes?: string[] | undefined;
  keywords?: string[] | undefined;
  formats?: string[] | undefined;
  licenses?: string[] | undefined;
  provinces?: string[] | undefined;
  accessLevels?: string[] | undefined;
  languages?: string[] | undefined;
  modifiedSince?: Date | undefined;
  modifiedUntil?: Date | undefined;
}

export type SortKey = 'relevance' | 'newest' | 'updated' | 'title_lo' | 'title_en';

/** How the text of the query is matched: index terms, or trigram similarity to the folded text. */
export type TextMatch =
  | { kind: 'all' }
  | {
      kind: 'terms';
      full: string;
      direct: string;
      /** Looked for in the head only (see rankedCandidates): a bounded answer to a broad query. */
      headOnly?: boolean;
    }
  | { kind: 'similar'; folded: string };

export interface SearchSpec {
  viewer: Viewer;
  filter: SearchFilter;
  match: TextMatch;
}

/**
 * What the viewer may see, by the catalog's own rule (datasets/queries.ts) over the document's
 * copy of the dataset row, and of each dataset the revision they are shown: the working copy
 * for insiders, the published one for everyone else, as in the dataset list.
 */
export function visibility(viewer: Viewer): Expression<SqlBool>[] {
  const insider = insiderCondition(viewer);
  return [
    visibleCondition(insider),
    sql<SqlBool>`(CASE WHEN ${insider} THEN d.is_current ELSE d.is_published END)`,
  ];
}

export const anyOf = (values: readonly string[]) => sql`ARRAY[${sql.join(values)}]::text[]`;

/** Where the query's words are looked for: the whole document, or its head only. */
type TermsIn = 'document' | 'head';

const columnOf = (match: TextMatch, where: TermsIn): TermsIn =>
  match.kind === 'terms' && match.headOnly === true ? 'head' : where;

export function textCondition(match: TextMatch, where: TermsIn = 'document'): RawBuilder<SqlBool> {
  if (match.kind === 'terms')
    return sql<SqlBool>`d.${sql.ref(columnOf(match, where))} @@ ${match.full}::tsquery`;
  if (match.kind === 'similar') return sql<SqlBool>`${match.folded} <% d.trigram_text`;
  return sql<SqlBool>`true`;
}

export function conditions(
  { viewer, filter }: SearchSpec,
  text: RawBuilder<SqlBool> = sql<SqlBool>`true`,
): RawBuilder<SqlBool> {
  const all = visibility(viewer);
  const f = filter;
  if (f.organizationIds?.length)
    all.push(sql<SqlBool>`d.organization_id IN (${sql.join(f.organizationIds)})`);
  if (f.themes?.length) all.push(sql<SqlBool>`d.themes && ${anyOf(f.themes)}`);
  if (f.keywords?.length) all.push(sql<SqlBool>`d.keywords && ${anyOf(f.keywords)}`);
  if (f.formats?.length) all.push(sql<SqlBool>`d.formats && ${anyOf(f.formats)}`);
  // As an array, to match the filters index of migration 0008.
  if (f.licenses?.length) all.push(sql<SqlBool>`ARRAY[d.license] && ${anyOf(f.licenses)}`);
  if (f.provinces?.length) all.push(sql<SqlBool>`d.provinces && ${anyOf(f.provinces)}`);
  if (f.accessLevels?.length)
    all.push(sql<SqlBool>`d.access_level IN (${sql.join(f.accessLevels)})`);
  if (f.languages?.length) all.push(sql<SqlBool>`d.languages && ${anyOf(f.languages)}`);
  if (f.modifiedSince) all.push(sql<SqlBool>`d.modified_at >= ${f.modifiedSince}`);
  if (f.modifiedUntil) all.push(sql<SqlBool>`d.modified_at <= ${f.modifiedUntil}`);
  all.push(text);
  return sql<SqlBool>`${sql.join(all, sql` AND `)}`;
}

// Title words count most, then keywords, organization and places, then the rest ({D,C,B,A}).
const weights = sql`'{0.05,0.2,0.5,1.0}'::float4[]`;

function scoreOf(match: TextMatch, where: TermsIn = 'document'): RawBuilder<number> {
  if (match.kind === 'terms')
    return sql<number>`ts_rank_cd(${weights}, d.${sql.ref(columnOf(match, where))}, ${match.full}::tsquery) * (0.8 + 0.2 * d.quality)`;
  if (match.kind === 'similar')
    return sql<number>`word_similarity(${match.folded}, d.trigram_text) * (0.8 + 0.2 * d.quality)`;
  return sql<number>`d.quality`;
}

/** Matched by the words as typed, not only through a translation; the head answers most. */
function directOf(match: TextMatch): RawBuilder<boolean> {
  if (match.kind !== 'terms' || match.direct === match.full) return sql<boolean>`true`;
  if (match.headOnly === true) return sql<boolean>`d.head @@ ${match.direct}::tsquery`;
  return sql<boolean>`(d.head @@ ${match.direct}::tsquery OR d.document @@ ${match.direct}::tsquery)`;
}

/** A match: the document's shown fields, with its rank and how the caller sees it. */
export interface FoundRow extends Pick<
  SearchDocumentRow,
  | 'dataset_id'
  | 'revision'
  | 'is_current'
  | 'state'
  | 'slug'
  | 'title_lo'
  | 'title_en'
  | 'description_lo'
  | 'description_en'
  | 'description_lo_breaks'
  | 'description_en_breaks'
  | 'organization_slug'
  | 'organization_title_lo'
  | 'organization_title_en'
  | 'themes'
  | 'keywords'
  | 'formats'
  | 'license'
  | 'provinces'
  | 'access_level'
  | 'languages'
  | 'created_at'
  | 'modified_at'
> {
  score: number;
  /** Matched by the words as typed, not only through a translation. */
  direct: boolean;
  /** The viewer sees the working copy (and its state) of this one. */
  insider: boolean;
}

const shownColumns = sql`d.dataset_id, d.revision, d.is_current, d.state, d.slug, d.title_lo,
  d.title_en, d.description_lo, d.description_en, d.description_lo_breaks,
  d.description_en_breaks, d.organization_slug, d.organization_title_lo,
  d.organization_title_en, d.themes, d.keywords, d.formats, d.license, d.provinces,
  d.access_level, d.languages, d.created_at, d.modified_at`;

/**
 * One page of matches in the asked order. The order is found on keys only, and the shown fields
 * (and, outside relevance order, the score) are read for the page's rows alone.
 */
export async function findDocuments(
  db: Db,
  spec: SearchSpec,
  page: { sort: SortKey; limit: number; offset: number },
): Promise<FoundRow[]> {
  const { match } = spec;
  if (page.sort === 'relevance' && match.kind !== 'all') {
    const { rows } = await sql<FoundRow>`
      SELECT ${shownColumns}, r.score, r.direct, ${insiderCondition(spec.viewer)} AS insider
      FROM (SELECT * FROM ${rankedCandidates(spec, page.offset + page.limit)} c
            ORDER BY ${relevanceOrder('c')} LIMIT ${page.limit} OFFSET ${page.offset}) r
        JOIN search_documents d ON d.dataset_id = r.dataset_id AND d.revision = r.revision
      ORDER BY ${relevanceOrder('r')}`.execute(db);
    return rows;
  }
  const order = {
    relevance: sql`d.quality DESC, d.modified_at DESC`,
    newest: sql`d.created_at DESC`,
    updated: sql`d.modified_at DESC`,
    title_lo: sql`d.title_sort_lo COLLATE "C"`,
    title_en: sql`d.title_sort_en COLLATE "C"`,
  }[page.sort];
  const { rows } = await sql<FoundRow>`
    SELECT ${shownColumns}, ${scoreOf(match)} AS score, ${directOf(match)} AS direct,
      ${insiderCondition(spec.viewer)} AS insider
    FROM (SELECT d.dataset_id, d.revision FROM search_documents d
          WHERE ${conditions(spec, textCondition(match))}
          ORDER BY ${order}, d.dataset_id LIMIT ${page.limit} OFFSET ${page.offset}) r
      JOIN search_documents d ON d.dataset_id = r.dataset_id AND d.revision = r.revision
    ORDER BY ${order}, d.dataset_id`.execute(db);
  return rows;
}

// Direct matches first, then those found through a translation (issue 7: ranked below); among
// them, those with every word in the head (title, keywords, organization, places) first.
const relevanceOrder = (t: string) =>
  sql`${sql.ref(`${t}.direct`)} DESC, ${sql.ref(`${t}.head`)} DESC, ${sql.ref(`${t}.score`)} DESC,
    ${sql.ref(`${t}.modified_at`)} DESC, ${sql.ref(`${t}.dataset_id`)}`;

/**
 * At most `rankCandidates` matches (more if the page is further), with their score: first those
 * whose head has every word, ranked on the head, which is in the row; then, to fill up, the
 * others, ranked on the whole document, which is read from TOAST. A broad search thus never
 * misses its title matches for being stored after hundreds of description matches.
 */
function rankedCandidates(spec: SearchSpec, end: number): RawBuilder<unknown> {
  const { match } = spec;
  // Each match by similarity costs a trigram comparison with its text: fewer are ranked.
  const bound = Math.max(match.kind === 'similar' ? similarCandidates : rankCandidates, end);
  const head = sql`
    SELECT d.dataset_id, d.revision, d.modified_at, true AS head,
      ${scoreOf(match, 'head')} AS score, ${directOf(match)} AS direct
    FROM search_documents d WHERE ${conditions(spec, textCondition(match, 'head'))}
    LIMIT ${bound}`;
  const all = (text: RawBuilder<SqlBool>) => sql`
    SELECT d.dataset_id, d.revision, d.modified_at, false AS head,
      ${scoreOf(match)} AS score, ${directOf(match)} AS direct
    FROM search_documents d WHERE ${conditions(spec, text)}
    LIMIT ${bound}`;
  if (match.kind !== 'terms') return sql`(${all(textCondition(match))})`;
  if (match.headOnly === true) return sql`(${head})`;
  // The others are read only while the first part has given fewer than `bound` rows, and only
  // when it has fewer direct matches than the page needs: those come before every match
  // outside the head (relevanceOrder), so the page is theirs. The count is a one-time filter:
  // the second scan, which reads whole documents, does not start at all (most of the
  // statement's time for a word with a hundred heads and hundreds of other matches).
  return sql`(WITH h AS MATERIALIZED (${head})
    SELECT * FROM h
    UNION ALL (${all(
      sql<SqlBool>`${textCondition(match)} AND NOT ${textCondition(match, 'head')}
        AND (SELECT count(*) FROM h WHERE h.direct) < ${end}`,
    )})
    LIMIT ${bound})`;
}

/**
 * Bounds on the work one search does. Below them every figure is exact; a broader search
 * (a short prefix, a common word) counts its first `countLimit` matches only, reports the
 * total as a lower bound and counts facets over those, and ranks `rankCandidates` of them,
 * those with every word in their head first (see rankedCandidates and boundedMatches): the
 * same matches are counted and ranked. Counting 1,000 made the facet statement, the slower of
 * a search's two, half as long again as counting 500 (5.2 against 3.4 ms a statement over the
 * bench's 200 queries at 100,000 datasets), to say "1,000 or more" where "500 or more" tells
 * someone who must narrow the search as much.
 */
export const countLimit = 500;
export const rankCandidates = 500;
/** Matches by trigram similarity (the fallback) that are counted and ranked. */
export const similarCandidates = 200;

/** Whether any filter is set. */
export function isFiltered(filter: SearchFilter): boolean {
  return Object.values(filter).some((value: unknown) =>
    Array.isArray(value) ? value.length > 0 : value !== undefined,
  );
}

export function organizationNames(db: Db) {
  return db
    .selectFrom('organizations')
    .select(['id', 'slug', 'title_lo', 'title_en'])
    .where('deleted_at', 'is', null)
    .execute();
}

export function findOrganizationIds(db: Db, slugs: readonly string[]) {
  return db
    .selectFrom('organizations')
    .select(['id', 'slug'])
    .where('slug', 'in', slugs)
    .where('deleted_at', 'is', null)
    .execute();
}

export interface KnownCodes {
  themes: { code: string; label_lo: string; label_en: string }[];
  licences: { id: string; title_lo: string; title_en: string }[];
}

/** Themes and licences with their names, in one round trip. */
export async function knownCodes(db: Db): Promise<KnownCodes> {
  const { rows } = await sql<{ kind: string; code: string; lo: string; en: string }>`
    SELECT 'theme' AS kind, code, label_lo AS lo, label_en AS en FROM themes
    UNION ALL SELECT 'license', id, title_lo, title_en FROM licences`.execute(db);
  return {
    themes: rows
      .filter((r) => r.kind === 'theme')
      .map((r) => ({ code: r.code, label_lo: r.lo, label_en: r.en })),
    licences: rows
      .filter((r) => r.kind === 'license')
      .map((r) => ({ id: r.code, title_lo: r.lo, title_en: r.en })),
  };
}
