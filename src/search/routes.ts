import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { createActorLoader } from '../catalog/index.js';
import type { Database, DatasetState, Schema } from '../db/index.js';
import { ErrorSchema } from '../http/schemas.js';
import { indexStaleDatasets } from './indexer.js';
import { SearchQuery, SearchResultSchema, SuggestQuery, SuggestSchema } from './schemas.js';
import { createSearchService, type SearchHit } from './service.js';

const tags = ['search'];

/** `/api/v1/search` and `/api/v1/search/suggest`. */
export const searchRoutes: FastifyPluginAsync<{
  db: Kysely<Schema>;
  withSettings: Database['withSettings'];
}> = async (base, { db, withSettings }) => {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const actorOf = createActorLoader(db);
  const service = createSearchService(db, withSettings);

  // Datasets from before search existed, or indexed by older text rules, are indexed first.
  app.addHook('onReady', async () => {
    const count = await indexStaleDatasets(db);
    if (count > 0) app.log.info({ datasets: count }, 'search: indexed datasets');
  });

  app.get(
    '/search',
    {
      schema: {
        tags,
        summary: 'Search datasets in Lao and English, with facets',
        description:
          'Results and facet counts include only what the caller may see: published public datasets, plus the working copies of their own organizations for members and everything for sysadmins.',
        querystring: SearchQuery,
        response: { 200: SearchResultSchema, 400: ErrorSchema },
      },
    },
    async (request) => {
      const { total, totalIsLowerBound, hits, facets, didYouMean } = await service.search(
        await actorOf(request),
        request.query,
      );
      return {
        total,
        totalIsLowerBound,
        results: hits.map(presentHit),
        facets,
        ...(didYouMean !== undefined && { didYouMean }),
      };
    },
  );

  app.get(
    '/search/suggest',
    {
      schema: {
        tags,
        summary:
          'Dataset titles, organizations, keywords and provinces starting with what was typed',
        querystring: SuggestQuery,
        response: { 200: SuggestSchema, 400: ErrorSchema },
      },
    },
    async (request) =>
      service.suggest(await actorOf(request), request.query.q, request.query.limit ?? 5),
  );
};

function presentHit(hit: SearchHit) {
  return {
    id: hit.dataset_id,
    slug: hit.slug,
    title: { lo: hit.title_lo, en: hit.title_en },
    snippet: hit.snippet,
    organization: {
      slug: hit.organization_slug,
      title: { lo: hit.organization_title_lo, en: hit.organization_title_en },
    },
    ...(hit.insider && { state: hit.state as DatasetState }),
    themes: hit.themes,
    keywords: hit.keywords,
    formats: hit.formats,
    license: hit.license,
    provinces: hit.provinces,
    access_level: hit.access_level,
    languages: hit.languages,
    created: hit.created_at.toISOString(),
    modified: hit.modified_at.toISOString(),
    score: Number(hit.score),
    match: hit.match,
  };
}
