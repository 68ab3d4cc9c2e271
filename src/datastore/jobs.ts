import { jobKind } from '../jobs/index.js';

/** Read one resource file into a table. */
export const ingestJob = jobKind<{ ingestId: string }>('datastore-ingest', {
  retryLimit: 3,
  retryDelaySeconds: 5,
  // Lost tries are found sooner by their heartbeat (see worker.ts); this is the backstop.
  expireSeconds: 3 * 3600,
});

/** Drop a table no ingest serves any more, once queries that started on it have finished. */
export const dropTableJob = jobKind<{ tableName: string }>('datastore-drop-table', {
  retryLimit: 5,
  retryDelaySeconds: 30,
  expireSeconds: 600,
});

export const datastoreJobKinds = [ingestJob, dropTableJob];
