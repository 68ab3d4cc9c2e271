import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Database } from '../db/index.js';
import type { BlobStore } from '../files/index.js';
import { startJobQueue, type JobQueue } from '../jobs/index.js';
import { datastoreJobKinds } from './jobs.js';
import { openTableStore, type TableStore } from './table-store.js';
import { startIngestWorkers } from './worker.js';

export interface DatastoreRuntime {
  jobs: JobQueue;
  tables: TableStore;
  /** Stops the workers (tries in flight get SHUTDOWN_TIMEOUT_MS), then closes DuckDB. */
  stop(): Promise<void>;
}

type Log = Parameters<typeof startIngestWorkers>[0]['log'];

/**
 * The job queue, this node's DuckDB tables and, with `workers` > 0, ingest workers: what both
 * `khomoun serve` and `khomoun worker` run next to the catalog database.
 */
export async function startDatastore(options: {
  config: Config;
  database: Database;
  blobs: BlobStore;
  workers: number;
  log: Log;
  now: () => Date;
}): Promise<DatastoreRuntime> {
  const { config, database, blobs, log, now } = options;
  const jobs = await startJobQueue(database, datastoreJobKinds, (error) =>
    log.error({ err: error }, 'job queue error'),
  );
  const tables = openTableStore(join(config.dataDir, 'tables'), {
    memoryLimit: config.duckdbMemoryLimit,
  });
  const workers =
    options.workers > 0
      ? await startIngestWorkers(
          {
            db: database.db,
            jobs,
            blobs,
            tables,
            workDir: join(config.dataDir, 'tmp', 'ingest'),
            now,
            soleWorker: database.engine === 'pglite',
            log,
          },
          options.workers,
        )
      : undefined;
  return {
    jobs,
    tables,
    async stop() {
      workers?.stop();
      await jobs.stop(config.shutdownTimeoutMs);
      tables.close();
    },
  };
}
