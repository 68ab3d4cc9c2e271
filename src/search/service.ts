import type { Kysely } from 'kysely';
import { viewerOf, type Actor } from '../catalog/index.js';
import type { Database, Schema, Settings } from '../db/index.js';
import { Invalid } from '../lib/errors.js';
import { snippet } from './highlight.js';
import { foldText, laoText } from './lao-text.js';
import { planQuery, type QueryPlan } from './query-plan.js';
import * as f from './facet-queries.js';
import * as q from './queries.js';
import { closestVocabulary, correctionOf } from './correction.js';
import { correctedQuery } from './similarity.js';
import { suggest } from './suggest.js';
import { tsqueryAny, tsqueryOf } from './tsvector.js';

export interface SearchParams {
  q?: string | undefined;
  organization?: string[] | undefined;
  theme?: string[] | undefined;
  keyword?: string[] | undefined;
  format?: string[] | undefined;
  license?: string[] | undefined;
  province?: string[] | undefined;
  access_level?: string[] | undefined;
  language?: string[] | undefined;
  modified_since?: string | undefined;
  modified_until?: string | undefined;
  sort?: q.SortKey | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

export interface SearchHit extends q.FoundRow {
  snippet: string;
  match: 'words' | 'some' | 'translation' | 'similar' | 'all';
}

export interface Facet {
  value: string;
  count: number;
  label?: { lo: string | null; en: string | null };
}

export interface SearchAnswer {
  total: number;
  /** The search matched more than was counted: `total` is how many were, at least that many. */
  totalIsLowerBound: boolean;
  hits: SearchHit[];
  facets: Record<f.FacetName, Facet[]>;
  didYouMean?: string;
}

const facetTop = 20;
/**
 * Every search statement runs with these. With a LIMIT the planner would rather read the table in
 * order, decompressing every document it passes to test the match, than take the matches from the
 * GIN index that knows them (300 ms against 5 ms at 100,000 datasets); each order of a listing
 * without a query has an index to walk (migrations 0006 and 0013). A plan that must scan anyway
 * then costs more than jit_above_cost: compiling it would take longer than running it. One set
 * for all searches, so that on PostgreSQL they share a few sessions (see Database.withSettings),
 * which stay warm: a rarely used session ran the same statement 3–10 times slower.
 */
const searchSettings: Settings = { enable_seqscan: 'off', jit: 'off' };
// Low enough for a typo in a short Lao word (pg_trgm's default, 0.6, misses it), high enough that
// unrelated titles stay out.
const similarityThreshold = 0.4;

const longEnough = (term: string) => [...term].length >= 3;
/**
 * When no dataset has every word, this many heads (titles, keywords, organizations, places)
 * with some of the words answer the search without looking at descriptions: a page's worth.
 */
const enoughHeadMatches = 20;

/**
 * Search and suggestions over the catalog, each answer limited to what the caller may see.
 * `withSettings` runs its statements with planner settings of their own (searchSettings).
 */
export function createSearchService(db: Kysely<Schema>, withSettings: Database['withSettings']) {
  // Themes and licences are reference data that is only ever added to: kept here, and read
  // again when a search names, or its facets show, a code this copy does not know yet.
  let codes: Promise<Codes> | undefined;
  const knownCodes = (fresh = false): Promise<Codes> => {
    if (fresh || codes === undefined)
      codes = q.knownCodes(db).then(
        (known) => codesOf(known),
        (error: unknown) => {
          codes = undefined;
          throw error;
        },
      );
    return codes;
  };

  const resolveFilter = async (params: SearchParams): Promise<q.SearchFilter> => {
    let known = await knownCodes();
    const themes = params.theme?.map((code) => code.trim().toUpperCase());
    const unknown = (values: string[] | undefined, set: ReadonlySet<string>) =>
      values?.some((value) => !set.has(value)) ?? false;
    if (unknown(themes, known.themes) || unknown(params.license, known.licences))
      known = await knownCodes(true);
    const checked = (field: string, values: string[] | undefined, set: ReadonlySet<string>) =>
      values?.map((value) => {
        if (!set.has(value)) throw new Invalid(field, `unknown value ${value}`);
        return value;
      });
    let organizationIds: string[] | undefined;
    if (params.organization?.length) {
      const found = await q.findOrganizationIds(db, params.organization);
      for (const slug of params.organization)
        if (!found.some((row) => row.slug === slug))
          throw new Invalid('organization', `no organization ${slug}`);
      organizationIds = found.map((row) => row.id);
    }
    return {
      organizationIds,
      themes: checked('theme', themes, known.themes),
      licenses: checked('license', params.license, known.licences),
      provinces: params.province?.map((text) => {
        const pcode = laoText.resolveProvince(text);
        if (pcode === undefined) throw new Invalid('province', `no province is called ${text}`);
        return pcode;
      }),
      keywords: params.keyword?.map((keyword) => foldText(keyword.trim())),
      formats: params.format?.map((format) => format.trim().toUpperCase()),
      accessLevels: params.access_level,
      languages: params.language?.map((code) => code.toLowerCase()),
      modifiedSince: dateParam('modified_since', params.modified_since),
      modifiedUntil: dateParam('modified_until', params.modified_until, true),
    };
  };

  const labelled = async (counts: f.FacetCount[]) => {
    let { labels } = await knownCodes();
    const unlabelled = (row: f.FacetCount) =>
      (row.facet === 'theme' || row.facet === 'license') &&
      !labels.has(`${row.facet}:${row.value}`);
    if (counts.some(unlabelled)) ({ labels } = await knownCodes(true));
    const facets: Record<f.FacetName, Facet[]> = {
      organization: [],
      theme: [],
      keyword: [],
      format: [],
      license: [],
      province: [],
      access_level: [],
      language: [],
    };
    let total = 0;
    for (const row of counts) {
      if (row.facet === 'total') {
        total = row.count;
        continue;
      }
      if (row.value === null) continue;
      const label =
        row.facet === 'organization'
          ? { lo: row.label_lo, en: row.label_en }
          : labels.get(`${row.facet}:${row.value}`);
      facets[row.facet].push({ value: row.value, count: row.count, ...(label && { label }) });
    }
    return { total, facets };
  };

  /**
   * A page of matches, shown by `present`, with the total and facets: two statements, side by
   * side on PostgreSQL's sessions; PGlite takes them in turn on its one session. Both run with
   * `searchSettings`, and `extra` on top.
   */
  const run = async (
    spec: q.SearchSpec,
    page: { sort: q.SortKey; limit: number; offset: number },
    present: (rows: q.FoundRow[]) => SearchHit[],
    extra: Settings = {},
  ): Promise<SearchAnswer> => {
    const read = <T>(work: (db_: Kysely<Schema>) => Promise<T>) =>
      withSettings({ ...searchSettings, ...extra }, work);
    const audience = catalogAudience(spec);
    // Each match by similarity costs a trigram comparison with its text: counted as far as ranked.
    const countLimit = spec.match.kind === 'similar' ? q.similarCandidates : q.countLimit;
    const [counts, hits] = await Promise.all([
      read((db_) =>
        audience === undefined
          ? f.countFacets(db_, spec, facetTop, countLimit)
          : f.catalogFacets(db_, audience, facetTop),
      ),
      // The page is shown (its snippets made) while the facets, the slower statement, are still
      // being counted on the other core.
      read((db_) => q.findDocuments(db_, spec, page)).then(present),
    ]);
    const { total, facets } = await labelled(counts);
    return {
      total,
      totalIsLowerBound: audience === undefined && total >= countLimit,
      facets,
      hits,
    };
  };
  return {
    async search(actor: Actor, params: SearchParams): Promise<SearchAnswer> {
      const filter = await resolveFilter(params);
      const plan = planQuery(params.q ?? '');
      const viewer = viewerOf(actor);
      const sort = params.sort ?? (plan.groups.length > 0 ? 'relevance' : 'newest');
      const page = { sort, limit: params.limit ?? 20, offset: params.offset ?? 0 };
      const match: q.TextMatch =
        plan.groups.length === 0
          ? { kind: 'all' }
          : {
              kind: 'terms',
              full: tsqueryOf(plan.groups, { translations: true }),
              direct: tsqueryOf(plan.groups, { translations: false }),
            };
      const found = await run(
        { viewer, filter, match },
        page,
        hitsOf(plan, match.kind === 'all' ? 'all' : 'words'),
      );
      if (found.total > 0 || plan.folded === '' || match.kind === 'all') return found;
      // No dataset has every word: those with some of them, best first. Any one word is enough
      // here, so a fragment of one or two letters is a word, not the start of one: as a prefix
      // it would match most of the catalog (a tenth of a second to look up, for no answer).
      const groups = plan.groups.map((group) => ({
        ...group,
        prefix:
          group.prefix &&
          group.alternatives.every((a) => a.translated || a.terms.every(longEnough)),
      }));
      const direct = tsqueryAny(groups, { translations: false });
      const some: q.TextMatch = {
        kind: 'terms',
        full: tsqueryAny(groups, { translations: true }),
        direct,
      };
      if (some.full !== match.full) {
        // Heads first, and the words as typed: an OR of every word and translation matches half
        // the documents of a large catalog (its index lookup was the slowest step of a search,
        // 25 ms in the heads alone against 2 ms without the translations, at 100,000 datasets).
        // When enough heads have a word, they are the answer: every page of it, whatever the
        // offset, so that paging neither repeats nor skips a dataset.
        const inHeads = await run(
          { viewer, filter, match: { kind: 'terms', full: direct, direct, headOnly: true } },
          page,
          hitsOf(plan, 'some'),
        );
        if (inHeads.total >= enoughHeadMatches) return withCorrection(inHeads, params.q);
        const partial = await run({ viewer, filter, match: some }, page, hitsOf(plan, 'some'));
        if (partial.total > 0) return withCorrection(partial, params.q);
      }
      // No word is in any document: each typed word replaced by the closest words of the
      // vocabulary (every document's words), searched for as terms through the index.
      const { typed, nearest } = await closestVocabulary(withSettings, plan.folded);
      if (nearest.length > 0) {
        const words = [...new Set(nearest.map((c) => c.word))];
        const query = tsqueryAny(
          [{ alternatives: words.map((w) => ({ terms: [w], translated: false })), prefix: false }],
          { translations: false },
        );
        const corrected: q.TextMatch = { kind: 'terms', full: query, direct: query };
        const found = await run(
          { viewer, filter, match: corrected },
          { ...page, sort: params.sort ?? 'relevance' },
          hitsOf(plan, 'similar', words),
        );
        if (found.total > 0)
          return withCorrection(found, params.q, correctionOf(typed, nearest, found.hits));
      }
      // Not even those: the closest titles and keywords by trigrams, and a correction. Kept as a
      // last resort for what single words miss (a misspelling inside a Lao title typed without
      // spaces): typos rarely get here now (none of the bench's 200 queries at 100,000 datasets).
      const similar: q.TextMatch = { kind: 'similar', folded: plan.folded };
      const close = await run(
        { viewer, filter, match: similar },
        { ...page, sort: params.sort ?? 'relevance' },
        hitsOf(plan, 'similar'),
        { 'pg_trgm.word_similarity_threshold': String(similarityThreshold) },
      );
      return withCorrection(close, params.q);
    },

    /** Titles, organizations, keywords and provinces starting with what the user typed. */
    suggest: (actor: Actor, typed: string, limit: number) =>
      suggest(db, viewerOf(actor), typed, limit),
  };
}

export type SearchService = ReturnType<typeof createSearchService>;

/** Themes and licences as a search checks and labels them. */
interface Codes {
  themes: ReadonlySet<string>;
  licences: ReadonlySet<string>;
  /** `theme:AGRI`, `license:CC0-1.0`, `province:LA06` to their names. */
  labels: ReadonlyMap<string, { lo: string | null; en: string | null }>;
}

function codesOf({ themes, licences }: q.KnownCodes): Codes {
  return {
    themes: new Set(themes.map((t) => t.code)),
    licences: new Set(licences.map((l) => l.id)),
    labels: new Map([
      ...themes.map((t) => [`theme:${t.code}`, { lo: t.label_lo, en: t.label_en }] as const),
      ...licences.map((l) => [`license:${l.id}`, { lo: l.title_lo, en: l.title_en }] as const),
      ...laoText
        .provinces()
        .map((p) => [`province:${p.pcode}`, { lo: p.nameLo, en: p.namesEn[0] ?? null }] as const),
    ]),
  };
}

/**
 * Whose maintained counts answer this search's facets: those of an unfiltered search by someone
 * who sees exactly the public catalog, or everything; members of an organization see a mix of
 * working copies and published revisions that no one table holds, and are counted live.
 */
function catalogAudience({ viewer, filter, match }: q.SearchSpec): f.Audience | undefined {
  if (match.kind !== 'all') return undefined;
  if (q.isFiltered(filter)) return undefined;
  if (viewer.sysadmin) return 'all';
  return viewer.organizationIds.length === 0 ? 'public' : undefined;
}

/**
 * Adds "did you mean": `corrected` when given, else the query's words spelled as in the titles
 * and keywords found.
 */
function withCorrection(result: SearchAnswer, typed = '', corrected?: string): SearchAnswer {
  if (corrected !== undefined) return { ...result, didYouMean: corrected };
  const vocabulary = result.hits
    .slice(0, 5)
    .flatMap((row) => [
      ...laoText.tokenize([row.title_lo, row.title_en].filter(Boolean).join(' ')),
      ...row.keywords.flatMap((k) => laoText.tokenize(k)),
    ]);
  const didYouMean = correctedQuery(laoText.tokenizeQuery(typed), vocabulary);
  return didYouMean === undefined ? result : { ...result, didYouMean };
}

/** How a page of matches is shown: each with its snippet and how it matched. */
function hitsOf(
  plan: QueryPlan,
  kind: 'words' | 'some' | 'similar' | 'all',
  corrected?: readonly string[],
): (rows: q.FoundRow[]) => SearchHit[] {
  const terms = corrected ?? (kind === 'similar' ? plan.folded.split(/\s+/) : plan.highlight);
  return (rows) =>
    rows.map((row) => ({
      ...row,
      snippet: snippetOf(row, terms, plan.folded),
      match: kind === 'words' && !row.direct ? 'translation' : kind,
    }));
}

function snippetOf(row: q.FoundRow, terms: readonly string[], typed: string): string {
  // The description in the language the query was typed in comes first.
  const english = !/[\u0E80-\u0EFF]/.test(typed) && /[a-z]/i.test(typed);
  const lo = { text: row.description_lo, breaks: row.description_lo_breaks };
  const en = { text: row.description_en, breaks: row.description_en_breaks };
  // The other description only when the first has no match: each costs a pass over its words.
  let first: string | undefined;
  for (const { text, breaks } of english ? [en, lo] : [lo, en]) {
    if (text === null) continue;
    const marked = snippet(text, terms, undefined, breaks);
    if (marked.includes('<mark>')) return marked;
    first ??= marked;
  }
  return first ?? '';
}

/** A date (the whole day) or a date-time; 400 naming the parameter otherwise. */
function dateParam(field: string, value: string | undefined, endOfDay = false): Date | undefined {
  if (value === undefined) return undefined;
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const date = new Date(dateOnly && endOfDay ? `${value}T23:59:59.999Z` : value);
  if (Number.isNaN(date.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(value))
    throw new Invalid(field, 'use a date (2024-01-31) or a date-time (2024-01-31T12:00:00Z)');
  return date;
}
