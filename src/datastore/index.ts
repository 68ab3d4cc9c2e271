import type { FixedWidthLayout } from './source.js';
export { datastoreRoutes } from './routes.js';
export {
  createDatastoreService,
  claimIngestOnFileStored,
  ingestOnFileStored,
  isTabular,
  type DatastoreService,
  type IngestStatus,
} from './service.js';
export { cancelIngest, runIngestHere, startIngestWorkers } from './worker.js';
export { datastoreJobKinds, ingestJob } from './jobs.js';
export { openTableStore, type TableStore } from './table-store.js';
export { ingestFile, type IngestOptions, type IngestProgress } from './ingest.js';
export type { ValidationReport } from './report.js';
export type { IngestRow } from './queries.js';
export type { TableSchema } from './table-schema.js';
export { startDatastore, type DatastoreRuntime } from './runtime.js';
export { readHead } from './read-head.js';
export { checkEncoding } from './source.js';

/** Reads a fixed-width layout file; its parser is loaded only here, not by every process. */
export async function parseLayoutFile(text: string): Promise<FixedWidthLayout> {
  const { parseFixedWidthLayout } = await import('./readers/fixed-width-layout.js');
  return parseFixedWidthLayout(text);
}
export { createServedTables, type ServedTable, type ServedTables } from './served-tables.js';
export { quoteIdentifier, quoteLiteral } from './table-store.js';
