import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Database } from '../db/index.js';
import type { BlobStore } from '../files/index.js';
import { startJobQueue, type JobQueue } from '../jobs/index.js';
import { datastoreJobKinds, dropTableJob } from './jobs.js';
import { openTableStore, type TableStore } from './table-store.js';
import { startIngestWorkers, startLostIngestSweep } from './worker.js';

export interface DatastoreRuntime {
  jobs: JobQueue;
  tables: TableStore;
  /**
   * Stops the workers (tries in flight get half of SHUTDOWN_TIMEOUT_MS, then go back to the
   * queue), then closes DuckDB.
   */
  stop(): Promise<void>;
}

type Log = Parameters<typeof startIngestWorkers>[0]['log'];

/**
 * The job queue, this node's DuckDB tables and, with `workers` > 0, ingest workers: what both
 * `khomoun serve` and `khomoun worker` run next to the catalog database.
 *
 * Only a node that `serves` tables opens its DuckDB file, loads what its ingests make and drops
 * replaced tables. `khomoun worker` and `khomoun ingest` serve none: they leave the file, and its
 * lock, to the server beside them (same DATA_DIR), which loads each new table from its Parquet
 * copy in the blob store when first asked.
 */
export async function startDatastore(options: {
  config: Config;
  database: Database;
  blobs: BlobStore;
  workers: number;
  serves: boolean;
  log: Log;
  now: () => Date;
}): Promise<DatastoreRuntime> {
  const { config, database, blobs, log, now } = options;
  // On PGlite this process is the only one with the database, so every job it may run was sent
  // here and wakes its workers at once (startJobQueue): polling only finds retries and delayed
  // jobs. Each poll runs on the event loop there (2–3 ms, up to 50 ms on a busy machine; four
  // a second for the two queues), so an idle server polls ten times less often.
  const jobs = await startJobQueue(
    database,
    datastoreJobKinds,
    (error) => log.error({ err: error }, 'job queue error'),
    database.engine === 'pglite' ? { pollingIntervalSeconds: 5 } : {},
  );
  const tables = openTableStore(join(config.dataDir, 'tables'), {
    memoryLimit: config.duckdbMemoryLimit,
  });
  // A node that runs ingests loads DuckDB now, before it serves anyone: loading it blocks the
  // event loop for 80–100 ms (the native library and the package's modules), which on the
  // first ingest was the server's longest stall. A failure here is only logged: the first
  // ingest opens the store again, as it did before.
  if (options.serves && options.workers > 0)
    await tables
      .withConnection(async () => undefined)
      .catch((error: unknown) => log.warn({ err: error }, 'the table store did not open'));
  const shutdown = new AbortController();
  const workerDeps = {
    db: database.db,
    jobs,
    blobs,
    ...(options.serves && { tables }),
    workDir: join(config.dataDir, 'tmp', 'ingest'),
    now,
    soleWorker: database.engine === 'pglite',
    log,
    signal: shutdown.signal,
  };
  // A server that runs no workers still sweeps lost ingests: one whose worker died then shows
  // as queued, waiting for a worker, rather than running for ever.
  const workers =
    options.workers > 0
      ? await startIngestWorkers(workerDeps, options.workers)
      : options.serves
        ? await startLostIngestSweep(workerDeps)
        : undefined;
  if (options.serves)
    await jobs.work(dropTableJob, async ({ tableName }) => {
      await tables.dropTable(tableName);
    });
  return {
    jobs,
    tables,
    async stop() {
      workers?.stop();
      // Ingests in flight get half of the shutdown's time to finish; then they stop and go back
      // to the queue, which leaves pg-boss and the database the time to close before the process
      // exits anyway (SHUTDOWN_TIMEOUT_MS). Given the whole time, an ingest outlived it: the
      // process exited with the ingest marked running and the database not closed.
      const stopIngests = setTimeout(() => shutdown.abort(), config.shutdownTimeoutMs / 2);
      try {
        await jobs.stop(Math.round(config.shutdownTimeoutMs * 0.75));
      } finally {
        clearTimeout(stopIngests);
        shutdown.abort();
      }
      tables.close();
    },
  };
}
