export {
  reindexDataset,
  reindexDatasets,
  reindexOrganization,
  indexStaleDatasets,
} from './indexer.js';
export { searchRoutes } from './routes.js';
export { createSearchService, type SearchService, type SearchParams } from './service.js';
