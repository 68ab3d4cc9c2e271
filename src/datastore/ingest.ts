import { fork } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pipeline } from 'node:stream/promises';
import type { BlobStore } from '../files/index.js';
import type { ConvertedFile, IngestOptions, IngestProgress } from './convert-file.js';
import type { ConvertMessage, ConvertRequest } from './ingest-process.js';
import { UnreadableSource } from './readers/errors.js';
import { StepTimer } from './step-timer.js';
import type { ValidationReport } from './report.js';
import type { TableSchema } from './table-schema.js';
import {
  ingestTableName,
  quoteIdentifier,
  tableFromParquetSql,
  type TableStore,
} from './table-store.js';

export type { IngestOptions, IngestProgress } from './convert-file.js';

export interface IngestInput {
  id: string;
  /** Which try of the ingest this is (its `attempts`); each has a scratch folder of its own. */
  attempt?: number;
  blobSha256: string;
  fileName: string | null;
  options: IngestOptions;
}

export interface IngestResult {
  tableName: string;
  parquetSha256: string;
  rowCount: number;
  bytes: number;
  report: ValidationReport;
  tableSchema: TableSchema;
  /**
   * Milliseconds each step took, in order: `copy-source` and `start` (the ingest process up to
   * its first step) here, then the ingest process's steps, then `store-parquet` and
   * `load-table` here again.
   */
  steps: Record<string, number>;
}

export interface IngestDeps {
  blobs: BlobStore;
  /** Where the table is loaded; absent, the Parquet copy alone is made (a worker's ingest). */
  tables?: TableStore | undefined;
  workDir: string;
  /** DuckDB's memory limit inside the ingest process. */
  duckdbMemoryLimit?: string;
  /** Aborted when this process shuts down: the reading stops, to be tried again later. */
  signal?: AbortSignal | undefined;
}

/** JavaScript heap of an ingest process, in MiB: small, so garbage is collected early. */
const ingestHeapMiB = 256;
/**
 * The longest an ingest may read: generous (a 2 GiB CSV takes under three minutes here), but a
 * file built to make the reader crawl must end in a report, not occupy a worker for ever.
 */
const ingestTimeLimitMs = 30 * 60_000;

/**
 * Turns one file into a typed DuckDB table and a Parquet copy in the blob store. The reading and
 * typing run in a separate process (ingest-process.ts), which hands back a Parquet file; this
 * process stores it and loads it into its tables. Nothing is served from here: the caller swaps
 * the table in only when this returns.
 */
export async function ingestFile(
  input: IngestInput,
  deps: IngestDeps,
  onProgress: (progress: IngestProgress) => void,
): Promise<IngestResult> {
  // A try's own folder: an earlier try the sweep gave up on, still alive, removed the shared
  // one under this try when it ended. Earlier tries' folders go now (they are lost, or ignored).
  const work = join(deps.workDir, `ingest-${input.id}-${input.attempt ?? 0}`);
  await mkdir(deps.workDir, { recursive: true });
  for (const name of await readdir(deps.workDir))
    if (name.startsWith(`ingest-${input.id}`))
      await rm(join(deps.workDir, name), { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const tableName = ingestTableName(input.id);
  const timer = new StepTimer();
  try {
    const file = await localCopy(deps.blobs, input.blobSha256, work);
    timer.lap('copy-source');
    const started = performance.now();
    const converted = await convertInChildProcess(
      {
        file: file.path,
        fileName: input.fileName,
        options: input.options,
        work,
        duckdbMemoryLimit: deps.duckdbMemoryLimit ?? '128MiB',
      },
      onProgress,
      deps.signal,
    );
    // The process's own steps, and before them its start (Node, DuckDB, the modules).
    const inChild = Object.values(converted.steps).reduce((sum, ms) => sum + ms, 0);
    const start = Math.max(0, Math.round(performance.now() - started) - inChild);
    timer.add({ start, ...converted.steps });
    // One after the other: storing hashes the file on the event loop, and with DuckDB's
    // threads loading at the same time that loop stalled for 60–140 ms at a time (2 GiB CSV).
    const parquet = await deps.blobs.put(createReadStream(converted.parquetPath), {
      maxBytes: Number.MAX_SAFE_INTEGER,
    });
    timer.lap('store-parquet');
    if (deps.tables) {
      await loadTable(deps.tables, tableName, converted.parquetPath);
      timer.lap('load-table');
    }
    return {
      tableName,
      parquetSha256: parquet.sha256,
      rowCount: converted.rowCount,
      bytes: file.size,
      report: converted.report,
      tableSchema: converted.tableSchema,
      steps: timer.steps,
    };
  } catch (error) {
    await deps.tables?.dropTable(tableName).catch(() => undefined);
    throw error;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Copies the Parquet file into a table of the store, with DuckDB on one thread. With two, its
 * threads and the server's event loop made three busy threads on two cores, and on a shared
 * machine the loop waited 150–250 ms at a time for a core (measured inside the server: runnable,
 * not running). One thread costs little time: the same on a busy machine, and on a quiet one
 * 0.96 s instead of 0.86 s for 1M rows, 2.2–2.7 s instead of 1.5 s for 3M; it also holds some
 * 30 MiB less. Queries of the data API that run during a load get one thread too.
 */
async function loadTable(tables: TableStore, tableName: string, parquetPath: string) {
  await tables.withOneThread(async (c) => {
    await c.run(
      `create or replace table ${quoteIdentifier(tableName)} as
       ${await tableFromParquetSql(c, parquetPath)}`,
    );
  });
}

const shuttingDown =
  'The reading was stopped because the process running it is shutting down; it will be tried again.';

/** The ingest process's entry, as source under tsx (tests) or built (dist/). */
function ingestProcessEntry(): { path: string; execArgv: string[] } {
  const self = fileURLToPath(import.meta.url);
  const typescript = self.endsWith('.ts');
  return {
    path: join(self, '..', typescript ? 'ingest-process.ts' : 'ingest-process.js'),
    execArgv: [
      ...(typescript ? ['--import', 'tsx'] : []),
      `--max-old-space-size=${ingestHeapMiB}`,
      // The reading's young generation is its thread's own (read-thread.ts).
    ],
  };
}

function convertInChildProcess(
  request: ConvertRequest,
  onProgress: (progress: IngestProgress) => void,
  signal: AbortSignal | undefined,
): Promise<ConvertedFile> {
  if (signal?.aborted) return Promise.reject(new Error(shuttingDown));
  const entry = ingestProcessEntry();
  const child = fork(entry.path, [], {
    execArgv: entry.execArgv,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'advanced',
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    // Keep the end only: a failing reader must not fill the server's memory with its complaints.
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  return new Promise<ConvertedFile>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      child.kill('SIGKILL');
      reject(
        new UnreadableSource(
          `Reading the file took longer than ${ingestTimeLimitMs / 60_000} minutes and was stopped.`,
        ),
      );
    }, ingestTimeLimitMs);
    const stopForShutdown = () => {
      if (settled) return;
      settled = true;
      child.kill('SIGKILL');
      reject(new Error(shuttingDown));
    };
    signal?.addEventListener('abort', stopForShutdown, { once: true });
    child.on('exit', () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', stopForShutdown);
    });
    child.on('message', (message: ConvertMessage) => {
      if (message.kind === 'progress') onProgress({ rows: message.rows, bytes: message.bytes });
      else if (message.kind === 'done') {
        settled = true;
        resolve(message.result);
      } else {
        settled = true;
        reject(
          message.unreadable
            ? new UnreadableSource(message.message)
            : message.transient
              ? new Error(message.message)
              : new UnreadableSource(`The file could not be read into a table: ${message.message}`),
        );
      }
    });
    child.on('error', (error) => {
      if (!settled) reject(error);
      settled = true;
    });
    child.on('exit', (code, signal) => {
      if (settled) return;
      settled = true;
      const how = signal ?? `exit code ${code}`;
      // Out of heap, the file would do the same on the next try. Killed without a word (an
      // operator, or the kernel short of memory for another process), the next try may well
      // succeed: it is retried, a few times at most.
      reject(
        stderr.includes('heap out of memory')
          ? new UnreadableSource(
              `Reading the file stopped (${how}): it needs more memory than an ingest may use; the JavaScript heap ran out.`,
            )
          : new Error(
              `The process reading the file stopped (${how}) without saying why; if it happens on every try, the system may be short of memory.`,
            ),
      );
    });
    child.send(request);
  });
}

/** The blob as a file on this machine: in place for the local store, copied from S3. */
async function localCopy(
  blobs: BlobStore,
  sha256: string,
  work: string,
): Promise<{ path: string; size: number }> {
  const stat = await blobs.stat(sha256);
  if (!stat) throw new Error(`the file ${sha256} is missing from the blob store`);
  if (blobs.localPath) return { path: blobs.localPath(sha256), size: stat.size };
  const path = join(work, 'source');
  await pipeline(await blobs.open(sha256), createWriteStream(path));
  return { path, size: stat.size };
}
