import type { Kysely } from 'kysely';
import type { Schema } from '../db/index.js';
import type { BlobStore } from '../files/index.js';
import type { JobQueue } from '../jobs/index.js';
import { AppError, publicErrorMessage } from '../lib/errors.js';
import { reindexDataset } from '../search/index.js';
import { ingestFile, type IngestOptions } from './ingest.js';
import { dropTableJob, ingestJob } from './jobs.js';
import * as q from './queries.js';
import { ReportCollector } from './report.js';
import type { TableStore } from './table-store.js';

export interface IngestWorkerDeps {
  db: Kysely<Schema>;
  jobs: JobQueue;
  blobs: BlobStore;
  /** This node's tables, which each ingest loads; absent on a node that serves none. */
  tables?: TableStore;
  /** Scratch space for spooled rows and Parquet files; on disk, as files are large. */
  workDir: string;
  /** Aborted at shutdown: ingests in flight stop and go back to the queue (requeueWithoutJob). */
  signal?: AbortSignal;
  now: () => Date;
  /**
   * True when no other process can be running ingests on this database (PGlite): every ingest
   * still marked running at start-up was then lost with the previous process.
   */
  soleWorker: boolean;
  log: {
    /** Where each ingest's step times go; absent (the CLI) drops them. */
    debug?(details: object, message: string): void;
    warn(details: object, message: string): void;
    error(details: object, message: string): void;
  };
}

/** How often a running ingest writes its progress. */
const progressIntervalMs = 1000;
/** How often it says it is alive even without progress (DuckDB's bulk steps report none). */
const heartbeatIntervalMs = 5000;
/** A running ingest silent for this long has lost its process. */
const lostAfterMs = 20_000;
/** Queries that started on a replaced table get this long to finish before it goes. */
const dropDelaySeconds = 120;

/**
 * Finds ingests whose process died (no heartbeat for a while) and hands them back to the queue,
 * now and every few seconds; and sends a job to a queued ingest that has none. Every process
 * that runs ingest workers does it, and so does a server that runs none (INGEST_WORKERS=0), so
 * that an ingest whose worker died shows as waiting, not running, until a worker takes it.
 */
export async function startLostIngestSweep(
  deps: Pick<IngestWorkerDeps, 'db' | 'jobs' | 'now' | 'log' | 'soleWorker'>,
): Promise<{ stop(): void }> {
  const { db, jobs, now, log } = deps;
  const sweepLost = async (silentSince: Date) => {
    for (const lost of await q.lostIngests(db, silentSince)) {
      log.warn({ ingest: lost.id }, 'an ingest lost its process; queued again');
      await q.markFailed(db, lost, 'the process running it stopped', null, now(), false);
      if (lost.job_id) await jobs.fail(ingestJob, [lost.job_id]);
      const job = lost.job_id ? await jobs.state(ingestJob, lost.job_id) : null;
      if (job?.state === 'failed')
        await q.markFailed(
          db,
          lost,
          'the process running it stopped, too often',
          null,
          now(),
          true,
        );
    }
    // A job that never reached the queue (a crash between commit and send cannot happen with a
    // transactional send, but an older version or a manual insert may leave one).
    for (const orphan of await q.queuedWithoutJob(db)) {
      const jobId = await jobs.send(ingestJob, { ingestId: orphan.id });
      if (jobId) await q.setJobId(db, orphan.id, jobId);
    }
  };
  await sweepLost(
    deps.soleWorker ? new Date(now().getTime() + 1) : new Date(now().getTime() - lostAfterMs),
  );
  const sweeper = setInterval(() => {
    sweepLost(new Date(now().getTime() - lostAfterMs)).catch((error: unknown) =>
      log.error({ err: error }, 'sweeping lost ingests failed'),
    );
  }, lostAfterMs / 2);
  sweeper.unref();

  return {
    stop() {
      clearInterval(sweeper);
    },
  };
}

/**
 * Runs ingest jobs in this process: `khomoun serve` by default, `khomoun worker` when scaled out.
 * Also finds ingests whose process died (no heartbeat) and hands them back to the queue.
 */
export async function startIngestWorkers(
  deps: IngestWorkerDeps,
  concurrency: number,
): Promise<{ stop(): void }> {
  const sweep = await startLostIngestSweep(deps);
  for (let i = 0; i < concurrency; i += 1) {
    await deps.jobs.work(ingestJob, async ({ ingestId }, job) => {
      await runIngest(deps, ingestId, job.retryCount);
    });
  }
  return sweep;
}

async function runIngest(deps: IngestWorkerDeps, ingestId: string, retryCount: number) {
  const ingest = await q.markRunning(deps.db, ingestId, deps.now());
  if (!ingest) return; // Finished already (a duplicate delivery): nothing to do.
  // A file that cannot be read will not read better on the next try; anything else might.
  await runClaimed(
    deps,
    ingest,
    (error) => error instanceof AppError || retryCount >= ingestJob.retryLimit,
  );
}

/**
 * Runs one ingest in this process to its end, as a queue worker does (progress, heartbeat,
 * serving the table, dropping the one it replaced): what `khomoun ingest` runs, so that it
 * neither takes other ingests from the queue nor waits behind them. The ingest must be claimed
 * already: recorded running, with a heartbeat, and sent to no queue (`claimIngestOnFileStored`);
 * should this process die, its heartbeat stops and the sweep of lost ingests queues it. No queue
 * retries it, so any failure is final.
 *
 * Aborting `signal` stops the run without recording anything: the caller then either cancels
 * the ingest (`cancelIngest`) or leaves it to the process that took it over. Given as
 * `deps.signal` too, it also stops the reading process at once.
 */
export async function runIngestHere(
  deps: IngestWorkerDeps,
  ingest: q.IngestRow,
  signal?: AbortSignal,
): Promise<void> {
  await runClaimed(deps, ingest, () => true, signal);
}

/** Marks an ingest stopped by its user as failed, for good: no sweep or queue runs it again. */
export async function cancelIngest(
  deps: Pick<IngestWorkerDeps, 'db' | 'now'>,
  ingest: q.IngestTry,
  reason: string,
): Promise<void> {
  await q.markFailed(deps.db, ingest, reason, failureReport(reason), deps.now(), true);
}

async function runClaimed(
  deps: IngestWorkerDeps,
  ingest: q.IngestRow,
  isFinal: (error: unknown) => boolean,
  signal?: AbortSignal,
) {
  const { db, jobs, now } = deps;
  let lastWrite = 0;
  let pending = Promise.resolve();
  const heartbeat = setInterval(() => {
    pending = pending.then(() => q.recordHeartbeat(db, ingest, now())).catch(() => undefined);
  }, heartbeatIntervalMs);
  try {
    const result = await ingestFile(
      {
        id: ingest.id,
        attempt: ingest.attempts,
        blobSha256: ingest.blob_sha256,
        fileName: ingest.file_name,
        options: ingest.options as IngestOptions,
      },
      deps,
      (progress) => {
        const time = Date.now();
        if (time - lastWrite < progressIntervalMs) return;
        lastWrite = time;
        pending = pending.then(() => q.recordProgress(db, ingest, progress, now()));
      },
    );
    clearInterval(heartbeat);
    const serving = performance.now();
    await pending;
    if (signal?.aborted) return;
    // The table's column names are searchable from the moment it is served.
    const outcome = await q.markDoneAndServe(db, ingest, result, now(), reindexDataset);
    if (outcome === 'overtaken') {
      deps.log.warn(
        { ingest: ingest.id },
        'a later try of this ingest took it over; this one ends',
      );
      return;
    }
    const { served, replacedTable } = outcome;
    deps.log.debug?.(
      {
        ingest: ingest.id,
        rows: result.rowCount,
        stepsMs: { ...result.steps, serve: Math.round(performance.now() - serving) },
      },
      'ingest steps',
    );
    const unused = served ? replacedTable : result.tableName;
    if (unused)
      await jobs.send(dropTableJob, { tableName: unused }, { startAfterSeconds: dropDelaySeconds });
  } catch (error) {
    clearInterval(heartbeat);
    await pending.catch(() => undefined);
    if (signal?.aborted) return;
    const message = publicErrorMessage(error);
    if (deps.signal?.aborted) {
      // Stopped by this process's shutdown: back to the queue, and the job ends here. Failed
      // instead, the job would spend one of its retries on each restart, and after the last one
      // leave the ingest queued with no job to run it.
      deps.log.warn({ ingest: ingest.id }, 'ingest stopped by the shutdown; queued again');
      await q.requeueWithoutJob(db, ingest, message);
      return;
    }
    const final = isFinal(error);
    deps.log.warn(
      { ingest: ingest.id, resource: ingest.resource_id, err: error, final },
      final ? 'ingest failed' : 'ingest failed; it will be tried again',
    );
    await q.markFailed(db, ingest, message, failureReport(message), now(), final);
    if (!final) throw error;
  }
}

function failureReport(message: string) {
  const report = new ReportCollector();
  report.error({ code: 'source-error', message });
  return report.finish({ rows: 0, fields: 0 });
}
