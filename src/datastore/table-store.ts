import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadDuckDB } from './duckdb-module.js';
import { favourMainThread } from './thread-priority.js';

/**
 * The DuckDB database that holds every resource's table on this node: `DATA_DIR/tables`. One
 * instance per process (DuckDB locks its file), with a memory limit so that loading a large
 * table spills to disk instead of growing the server. DuckDB is loaded on first use, which for
 * `khomoun serve` is before it listens.
 *
 * @example
 *   const tables = openTableStore(join(dataDir, 'tables'));
 *   await tables.withConnection((c) => c.run('select 42'));
 */
export interface TableStore {
  readonly directory: string;
  /** Opens DuckDB now rather than on first use. */
  open(): Promise<void>;
  withConnection<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T>;
  /**
   * Like `withConnection`, with DuckDB on one thread until the last such work ends. The setting
   * is DuckDB's own and covers the whole store: other queries meanwhile get one thread too.
   */
  withOneThread<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T>;
  dropTable(name: string): Promise<void>;
  close(): void;
}

export interface TableStoreOptions {
  /** DuckDB's `memory_limit`, e.g. `128MiB`. */
  memoryLimit?: string;
  threads?: number;
}

/**
 * The priority of every thread but the event loop's once DuckDB is open (see `favourMainThread`).
 * Under 50 clients mixing queries and exports, the loop had waited for a core 11.1–11.8 s of
 * 30 s and stalled up to 98–178 ms; at 5 it waited 5.5–5.7 s and stalled up to 75–87 ms, and a
 * whole CSV export, whose pipe the loop drains, ran at 109–149 MB/s against 100–148 MB/s
 * (four alternated pairs of runs of the data API bench, load 0.8–1.3).
 */
const queryNiceness = 5;

export function openTableStore(directory: string, options: TableStoreOptions = {}): TableStore {
  const threads = options.threads ?? 2;
  let opening: Promise<DuckDBInstance> | undefined;
  let instance: DuckDBInstance | undefined;
  const open = () =>
    (opening ??= (async () => {
      mkdirSync(join(directory, 'tmp'), { recursive: true });
      // Loaded on first use: `khomoun serve` opens the store before it listens (src/server.ts),
      // other commands and tests only when they read or load a table.
      const { DuckDBInstance } = loadDuckDB();
      instance = await DuckDBInstance.create(join(directory, 'tables.duckdb'), {
        memory_limit: options.memoryLimit ?? '128MiB',
        threads: String(threads),
        temp_directory: join(directory, 'tmp'),
        // Tables are loaded in row-number order on one thread, where keeping that order costs no
        // memory, and a read without ORDER BY then comes out in that order: a whole export in row
        // order needs no sort (src/dataapi/columns.ts, `storedInRowOrder`). DuckDB's advice to
        // turn this off is for loads on many threads, which buffer rows to keep their order.
        preserve_insertion_order: 'true',
        // DuckDB's allocator hands freed memory back to the system only when it is next used:
        // after a load the server kept some 40–60 MiB it no longer needed until the next query.
        // A background thread returns it within seconds.
        allocator_background_threads: 'true',
        // Ingests read their Parquet files through this instance, so it keeps file access; the
        // public read-only SQL endpoint must get its own locked-down instance.
      });
      // By now libuv's pool, where queries run, and DuckDB's own threads have started.
      favourMainThread(queryNiceness);
      return instance;
    })().catch((error: unknown) => {
      opening = undefined; // a failed open (disk full, locked file) may succeed on a later call
      throw error;
    }));
  const idle: DuckDBConnection[] = [];
  const withConnection = async <T>(work: (connection: DuckDBConnection) => Promise<T>) => {
    const connection = idle.pop() ?? (await (await open()).connect());
    try {
      return await work(connection);
    } finally {
      if (idle.length < 8) idle.push(connection);
      else connection.closeSync();
    }
  };
  let oneThreadWork = 0;
  const withOneThread = <T>(work: (connection: DuckDBConnection) => Promise<T>) =>
    withConnection(async (connection) => {
      oneThreadWork += 1;
      try {
        if (oneThreadWork === 1) await connection.run('set threads = 1');
        return await work(connection);
      } finally {
        oneThreadWork -= 1;
        if (oneThreadWork === 0) await connection.run(`set threads = ${threads}`);
      }
    });
  return {
    directory,
    open: async () => {
      await open();
    },
    withConnection,
    withOneThread,
    dropTable: (name) =>
      withConnection(async (c) => {
        await c.run(`drop table if exists ${quoteIdentifier(name)}`);
      }),
    close() {
      for (const connection of idle.splice(0)) connection.closeSync();
      instance?.closeSync();
    },
  };
}

/**
 * DuckDB's Parquet writer stores HUGEINT as DOUBLE, which loses every digit past the 17th: an
 * integer too wide for BIGINT is written as DECIMAL(38,0) instead (parquetColumnSql) and read
 * back as HUGEINT (tableFromParquetSql), so that the data API keeps it an exact integer.
 */
const wideIntegerInParquet = 'DECIMAL(38,0)';

/** A column of `type` as the Parquet copy of a table should hold it. */
export function parquetColumnSql(column: string, type: string): string {
  return type === 'HUGEINT' ? `cast(${column} as ${wideIntegerInParquet})` : column;
}

/** The select that reads a table's Parquet copy back, wide integers as HUGEINT again. */
export async function tableFromParquetSql(c: DuckDBConnection, path: string): Promise<string> {
  const source = `read_parquet(${quoteLiteral(path)})`;
  const described = await c.runAndReadAll(`describe select * from ${source}`);
  const columns = described.getRows().map(([name, type]) => {
    const quoted = quoteIdentifier(String(name));
    return String(type) === wideIntegerInParquet
      ? `cast(${quoted} as HUGEINT) as ${quoted}`
      : quoted;
  });
  return `select ${columns.join(', ')} from ${source}`;
}

/** A DuckDB identifier for any column name, Lao included. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A DuckDB string literal. */
export function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** The name of the table an ingest makes: `t_` and its id's hex digits. */
export function ingestTableName(ingestId: string): string {
  return `t_${ingestId.replaceAll('-', '')}`;
}

/** Whether a table of the store is one an ingest made (and so one a sweep may drop). */
export function isIngestTableName(name: string): boolean {
  return /^t_[0-9a-f]{32}$/.test(name);
}
