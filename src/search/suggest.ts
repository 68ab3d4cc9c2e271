import type { Kysely } from 'kysely';
import type { Viewer } from '../catalog/index.js';
import type { Schema } from '../db/index.js';
import { foldText, laoText } from './lao-text.js';
import type { Audience } from './facet-queries.js';
import * as q from './queries.js';
import * as sq from './suggest-queries.js';
import { tsqueryOf } from './tsvector.js';

/**
 * Dataset titles, organizations, keywords and provinces starting with what the user has typed,
 * folded, limited to what `viewer` may see.
 */
export async function suggest(db: Kysely<Schema>, viewer: Viewer, typed: string, limit: number) {
  const folded = foldText(typed.slice(0, 100)).trim();
  const empty = { datasets: [], organizations: [], keywords: [], provinces: [] };
  if (folded === '') return empty;
  const tokens = laoText.tokenizeQuery(typed.slice(0, 100));
  const last = tokens.at(-1);
  // Words are looked up in the index from three letters on: shorter prefixes match most of
  // the catalog and cost far more than a suggestion may.
  const wordLookup = last !== undefined && [...last].length >= 3;
  const datasets = await sq.titlesStartingWith(db, viewer, folded, limit);
  if (datasets.length < limit && wordLookup) {
    const groups = tokens.map((t, i) => ({
      alternatives: [{ terms: [t], translated: false }],
      prefix: i === tokens.length - 1,
    }));
    const words = await sq.titlesWithWord(
      db,
      viewer,
      tsqueryOf(groups, { translations: false, weights: 'A' }),
      limit,
    );
    for (const row of words)
      if (datasets.length < limit && !datasets.some((d) => d.slug === row.slug)) datasets.push(row);
  }
  // Everyone or no one outside their organization: keywords counted for the whole catalog.
  const audience: Audience | undefined = viewer.sysadmin
    ? 'all'
    : viewer.organizationIds.length === 0
      ? 'public'
      : undefined;
  const keywords = !wordLookup
    ? []
    : audience !== undefined
      ? await sq.catalogKeywordsStartingWith(db, audience, folded, limit)
      : await sq.keywordsStartingWith(
          db,
          viewer,
          tsqueryOf([{ alternatives: [{ terms: [last], translated: false }], prefix: true }], {
            translations: false,
            weights: 'B',
          }),
          folded,
          limit,
        );
  const startsWord = (name: string | null) => {
    if (name === null) return false;
    const f = foldText(name);
    return f.startsWith(folded) || f.includes(` ${folded}`);
  };
  const organizations = (await q.organizationNames(db))
    .filter((o) => startsWord(o.title_lo) || startsWord(o.title_en) || o.slug.startsWith(folded))
    .slice(0, limit)
    .map((o) => ({ slug: o.slug, title: { lo: o.title_lo, en: o.title_en } }));
  const provinces = laoText
    .provinces()
    .filter((p) => [p.nameLo, ...p.namesEn].some(startsWord))
    .slice(0, limit)
    .map((p) => ({ pcode: p.pcode, name: { lo: p.nameLo, en: p.namesEn[0] ?? null } }));
  return {
    datasets: datasets.map((d) => ({
      slug: d.slug,
      title: { lo: d.title_lo, en: d.title_en },
    })),
    organizations,
    keywords,
    provinces,
  };
}
