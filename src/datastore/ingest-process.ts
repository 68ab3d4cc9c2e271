import { join } from 'node:path';
import { AppError, publicErrorMessage } from '../lib/errors.js';
import { convertFile, type ConvertedFile, type IngestOptions } from './convert-file.js';
import { loadDuckDB } from './duckdb-module.js';
import { lowerProcessPriority } from './thread-priority.js';

const { DuckDBInstance } = loadDuckDB();

/** What the parent asks of one ingest process. */
export interface ConvertRequest {
  file: string;
  fileName: string | null;
  options: IngestOptions;
  work: string;
  duckdbMemoryLimit: string;
}

export type ConvertMessage =
  | { kind: 'progress'; rows: number; bytes: number }
  | { kind: 'done'; result: ConvertedFile }
  | { kind: 'failed'; message: string; unreadable: boolean; transient: boolean };

/**
 * The entry of an ingest process: reads one file into a Parquet file and reports back over IPC.
 * Reading messy files is the riskiest work the platform does (zip bombs, huge cells, endless
 * quotes), so it runs apart: its memory is its own, freed when it exits, and it can neither
 * stall the server's event loop nor take the server down with it.
 */
async function serve(request: ConvertRequest): Promise<void> {
  const send = (message: ConvertMessage) =>
    new Promise<void>((resolve) => process.send?.(message, () => resolve()));
  // One thread: with two, DuckDB's ordered copies held some 120 MiB more than its memory limit
  // (batches finished out of order wait for their turn), and the second core is the server's.
  const duck = await DuckDBInstance.create(':memory:', {
    memory_limit: request.duckdbMemoryLimit,
    threads: '1',
    temp_directory: join(request.work, 'duckdb'),
  });
  const connection = await duck.connect();
  let lastSent = 0;
  try {
    const result = await convertFile(
      request.file,
      request.fileName,
      request.options,
      request.work,
      connection,
      (progress) => {
        const now = Date.now();
        if (now - lastSent < 250) return;
        lastSent = now;
        process.send?.({ kind: 'progress', ...progress } satisfies ConvertMessage);
      },
    );
    await send({ kind: 'done', result });
  } catch (error) {
    await send({
      kind: 'failed',
      message: publicErrorMessage(error),
      unreadable: error instanceof AppError,
      // A system error (a full disk, too many open files) may pass; anything else the file or
      // its options caused, and the next try would meet it again.
      transient: /^E[A-Z]+$/.test(String((error as { code?: unknown } | null)?.code ?? '')),
    });
  } finally {
    connection.closeSync();
    duck.closeSync();
  }
}

/**
 * Niceness of an ingest process. On a small machine the ingest (its reading in JavaScript, then
 * DuckDB) would otherwise take CPU time from the server's event loop and queries as often as
 * they get it; niced, it gives way whenever the server has work, and runs at full speed when
 * the server has none.
 */
const ingestNiceness = 10;

try {
  // Every thread, not only this one: V8's collector threads, busy while a large spreadsheet is
  // read, stayed at the server's priority and competed with its event loop. Before DuckDB
  // starts its threads: they inherit it.
  lowerProcessPriority(ingestNiceness);
} catch {
  // A platform that refuses it: the ingest runs at the server's priority.
}

// The parent going away (its shutdown, a crash) ends the ingest too.
process.on('disconnect', () => process.exit(1));
process.once('message', (request: ConvertRequest) => {
  serve(request).then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
