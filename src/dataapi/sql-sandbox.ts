import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdentifier, quoteLiteral } from '../datastore/index.js';
import { Invalid, TooManyRequests } from '../lib/errors.js';
import { QueryTimedOut, QueryTooLarge } from './errors.js';
import type { SandboxReply, SandboxRequest } from './sql-sandbox-process.js';
import type { PresentedResult } from './sql-present.js';
import { createGate } from '../lib/gate.js';

/**
 * The locked-down DuckDB that runs callers' SQL (`POST /api/v1/sql`).
 *
 * Why not the table store: the node's tables (`DATA_DIR/tables/tables.duckdb`) are opened with
 * file access because ingests read files through that instance, so user SQL must never run there,
 * and DuckDB cannot attach that file a second time (read-only or not) while this process holds
 * it open for writing. Each statement instead gets a fresh in-memory DuckDB whose views read the
 * Parquet copies of exactly the resources it names (the ingest's Parquet in the blob store, or an
 * export of the table when the blob store is remote); those files, and only those, are listed in
 * `allowed_paths` before `enable_external_access=false` and `lock_configuration=true`. (A view
 * over read_parquet is bound again by every query, so without `allowed_paths` it is refused like
 * any other file read: tested.) Even a statement that slipped past the checker (sql-check.ts)
 * then opens no other file, no network, no extension, and cannot unlock itself.
 *
 * Why in child processes: DuckDB's `memory_limit` covers its buffers, not one huge value —
 * `repeat('x', 1e9)` grew the server by 1 GB, and `generate_series(1, 2e8)` or
 * `lpad('x', 1e9, 'y')` ignored interrupts for 20 s to 2 min (measured 2026-11-30). So statements
 * run in a small pool of long-lived processes whose address space is capped (`ulimit -v`, where
 * the OS has it): such an allocation fails at once with DuckDB's out-of-memory error (422), and a
 * statement still running a moment after its interrupt is ended with its process (408), which is
 * replaced. The pool size bounds the CPU and memory SQL may take from the rest of the server.
 *
 * Measured on this machine (2 shared cores, 2026-11-30): in one process, a fresh in-memory
 * instance with one Parquet view of a 1,000,000-row, 3-column table, locked, then a filtered
 * count: 36 ms. The other options: copying the rows into a sandbox through the appender,
 * 1,073 ms on the event loop; a new process per statement, 236 ms before any work. With the pool
 * (built code): the first statement after start or a long idle ~0.7–0.9 s (a process starts),
 * then ~30–40 ms per statement, new instance and IPC included.
 */
export interface SandboxLimits {
  /** DuckDB `memory_limit` of each statement's instance. */
  memoryLimit: string;
  /** Address space of each sandbox process, in MiB (Node and DuckDB take about 1.4 GiB of it idle). */
  addressSpaceMiB: number;
  threads: number;
  /** Longest time a statement may run, in milliseconds. */
  timeLimitMs: number;
  /** How long a statement may ignore its interrupt before its process is ended. */
  interruptGraceMs: number;
  /** Most rows one answer may hold. */
  maxRows: number;
  /** Most bytes of JSON one answer's rows may take. */
  maxBytes: number;
  /** Sandbox processes, hence statements that run at the same time; further ones wait in line. */
  concurrency: number;
  /** Statements that may wait; beyond this the caller is told to retry (429). */
  queueLength: number;
  /** A sandbox process idle this long ends; the next statement starts one (about 0.7 s). */
  idleMs: number;
}

export const defaultSandboxLimits: SandboxLimits = {
  memoryLimit: '256MiB',
  addressSpaceMiB: 2560,
  threads: 1,
  timeLimitMs: 10_000,
  interruptGraceMs: 1000,
  maxRows: 10_000,
  maxBytes: 16 * 1024 * 1024,
  concurrency: 2,
  queueLength: 16,
  idleMs: 5 * 60_000,
};

/** A resource's table as the sandbox sees it: a view named by the resource id. */
export interface SandboxTable {
  resourceId: string;
  parquetPath: string;
}

/** The sandbox process's entry, as source under tsx (tests) or built (dist/). */
function sandboxProcessEntry(): { path: string; execArgv: string[] } {
  const self = fileURLToPath(import.meta.url);
  const typescript = self.endsWith('.ts');
  return {
    path: join(self, '..', typescript ? 'sql-sandbox-process.ts' : 'sql-sandbox-process.js'),
    execArgv: [
      ...(typescript ? ['--import', 'tsx'] : []),
      '--max-old-space-size=256',
      // WebAssembly (Node's module lexer, tsx) otherwise reserves 10 GiB of address space per
      // memory for its guard regions, which the capped process cannot have.
      '--disable-wasm-trap-handler',
    ],
  };
}

interface Worker {
  child: ChildProcess;
  ready: Promise<void>;
  /** The reply of the statement in progress. */
  onReply?: (reply: SandboxReply) => void;
  /** Called when the process ends while a statement is in progress. */
  onExit?: (description: string) => void;
  idleTimer?: NodeJS.Timeout;
}

export function createSqlSandbox(limits: SandboxLimits = defaultSandboxLimits) {
  const gate = createGate(limits.concurrency, {
    queueLength: limits.queueLength,
    refuse: () => new TooManyRequests('Too many SQL queries are running; try again shortly', 1),
  });
  const idle: Worker[] = [];
  const all = new Set<Worker>();
  let closed = false;
  let parser: Promise<DuckDBConnection> | undefined;

  const startWorker = (): Worker => {
    const entry = sandboxProcessEntry();
    // `ulimit -v` caps what the process may ever allocate; `exec` keeps the IPC channel.
    const child = spawn(
      '/bin/sh',
      [
        '-c',
        `ulimit -v ${limits.addressSpaceMiB * 1024} 2>/dev/null; exec "$0" "$@"`,
        process.execPath,
        ...entry.execArgv,
        entry.path,
      ],
      { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    const worker: Worker = {
      child,
      ready: new Promise<void>((resolve, reject) => {
        child.once('message', () => resolve());
        child.once('exit', (code) =>
          reject(new Error(`the SQL sandbox did not start (${code}): ${stderr}`)),
        );
      }),
    };
    worker.ready.catch(() => undefined); // reported to the statement that waits for it
    child.on('message', (reply: SandboxReply) => {
      if (reply.kind !== 'ready') worker.onReply?.(reply);
    });
    child.on('exit', (code, signal) => {
      all.delete(worker);
      const index = idle.indexOf(worker);
      if (index >= 0) idle.splice(index, 1);
      worker.onExit?.(`${signal ?? `exit code ${code}`} ${stderr.slice(-300)}`.trim());
    });
    all.add(worker);
    return worker;
  };

  /** Back to the idle pool; a process left idle for a while ends, to give its memory back. */
  const release = (worker: Worker) => {
    idle.push(worker);
    worker.idleTimer = setTimeout(() => worker.child.kill('SIGTERM'), limits.idleMs);
    worker.idleTimer.unref();
  };

  const take = (): Worker => {
    const worker = idle.pop() ?? startWorker();
    clearTimeout(worker.idleTimer);
    return worker;
  };

  /** One statement on one sandbox process; the process is ended if it overstays. */
  const runOn = (worker: Worker, request: SandboxRequest, timeLimitMs: number) =>
    new Promise<PresentedResult>((resolve, reject) => {
      let interrupted = false;
      let killed = false;
      const interrupt = setTimeout(() => {
        interrupted = true;
        worker.child.send({ kind: 'interrupt' });
      }, timeLimitMs);
      const kill = setTimeout(() => {
        killed = true;
        worker.child.kill('SIGKILL');
      }, timeLimitMs + limits.interruptGraceMs);
      const settle = () => {
        clearTimeout(interrupt);
        clearTimeout(kill);
        worker.onReply = undefined;
        worker.onExit = undefined;
      };
      const seconds = Math.round(timeLimitMs / 100) / 10;
      worker.onReply = (reply) => {
        settle();
        if (reply.kind === 'done') return resolve(reply.result);
        if (reply.kind !== 'failed')
          return reject(new Error('unexpected reply of the SQL sandbox'));
        if (reply.reason === 'interrupted' || interrupted)
          return reject(new QueryTimedOut(seconds));
        if (reply.reason === 'memory') return reject(new QueryTooLarge());
        if (reply.reason === 'statement') return reject(new Invalid('sql', reply.message));
        reject(new Error(`SQL sandbox: ${reply.message}`));
      };
      worker.onExit = (description) => {
        settle();
        if (killed) return reject(new QueryTimedOut(seconds));
        // Without a reply the process died of the statement: past its address space in a place
        // that could not fail gracefully, most likely.
        reject(Object.assign(new QueryTooLarge(), { cause: new Error(description) }));
      };
      worker.child.send(request);
    });

  const parserConnection = () =>
    (parser ??= (async () => {
      const { DuckDBInstance } = await import('@duckdb/node-api');
      const instance = await DuckDBInstance.create(':memory:', {
        autoload_known_extensions: 'false',
        autoinstall_known_extensions: 'false',
        enable_external_access: 'false',
        lock_configuration: 'true',
      });
      return instance.connect();
    })());

  return {
    limits,

    /** DuckDB's parse tree of `sql` as JSON (`json_serialize_sql`), for sql-check.ts. */
    async parse(sql: string): Promise<string> {
      // Parsing reads no data and allocates little (the text is at most 100,000 characters), so
      // it runs here, in an instance that holds nothing and has no file access.
      const connection = await parserConnection();
      const reader = await connection.runAndReadAll('select json_serialize_sql($1::varchar)', [
        sql,
      ]);
      return String(reader.getRows()[0]?.[0] ?? '');
    },

    /**
     * Runs a checked statement over `tables` in a sandbox process: at most `maxRows` rows and
     * `timeLimitMs` milliseconds (each capped by the sandbox's own limits).
     */
    async run(
      sql: string,
      tables: readonly SandboxTable[],
      options: { maxRows?: number; timeLimitMs?: number } = {},
    ): Promise<PresentedResult> {
      const maxRows = Math.min(options.maxRows ?? limits.maxRows, limits.maxRows);
      const timeLimitMs = Math.min(options.timeLimitMs ?? limits.timeLimitMs, limits.timeLimitMs);
      return gate.run(async () => {
        if (closed) throw new Error('the SQL sandbox is closed');
        const worker = take();
        await worker.ready;
        try {
          return await runOn(
            worker,
            {
              kind: 'run',
              sql,
              tables: [...tables],
              views: tables.map(
                (table) =>
                  `create view ${quoteIdentifier(table.resourceId)} as select * from read_parquet(${quoteLiteral(table.parquetPath)})`,
              ),
              allowPaths:
                tables.length > 0
                  ? `set allowed_paths = [${tables.map((table) => quoteLiteral(table.parquetPath)).join(', ')}]`
                  : null,
              memoryLimit: limits.memoryLimit,
              threads: limits.threads,
              maxRows,
              maxBytes: limits.maxBytes,
            },
            timeLimitMs,
          );
        } finally {
          if (all.has(worker) && !closed) release(worker);
        }
      });
    },

    close() {
      closed = true;
      for (const worker of all) worker.child.kill('SIGKILL');
      void parser?.then((connection) => connection.closeSync());
    },
  };
}

export type SqlSandbox = ReturnType<typeof createSqlSandbox>;
