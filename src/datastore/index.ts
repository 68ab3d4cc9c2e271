export { datastoreRoutes } from './routes.js';
export {
  createDatastoreService,
  ingestOnFileStored,
  isTabular,
  type DatastoreService,
  type IngestStatus,
} from './service.js';
export { startIngestWorkers } from './worker.js';
export { datastoreJobKinds, ingestJob } from './jobs.js';
export { openTableStore, type TableStore } from './table-store.js';
export { ingestFile, type IngestOptions, type IngestProgress } from './ingest.js';
export type { ValidationReport } from './report.js';
export type { TableSchema } from './table-schema.js';
export { startDatastore, type DatastoreRuntime } from './runtime.js';
export { readHead } from './read-head.js';
export { parseFixedWidthLayout } from './readers/index.js';
