import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { presentResult, type PresentedResult } from './sql-present.js';

/**
 * The entry of a SQL sandbox process (see sql-sandbox.ts): runs callers' statements one at a
 * time, each in a fresh in-memory DuckDB that can read only the Parquet files of the tables the
 * statement names, and answers over IPC. The parent limits this process's address space, so an
 * allocation DuckDB's `memory_limit` does not see (one huge string or list) fails here instead of
 * growing the server, and kills it when a statement ignores an interrupt.
 */
export interface SandboxRequest {
  kind: 'run';
  sql: string;
  tables: Array<{ resourceId: string; parquetPath: string }>;
  /** `create view "<resource id>" as select * from read_parquet('<path>')`, one per table. */
  views: string[];
  /** The `set allowed_paths = [...]` statement of the tables' files, if any. */
  allowPaths: string | null;
  memoryLimit: string;
  threads: number;
  maxRows: number;
  /** Most bytes of JSON the answer's rows may take; rows past it are cut like rows past `maxRows`. */
  maxBytes: number;
}

export type SandboxReply =
  | { kind: 'ready' }
  | { kind: 'done'; result: PresentedResult }
  | {
      kind: 'failed';
      reason: 'interrupted' | 'memory' | 'statement' | 'internal';
      message: string;
    };

const userErrors =
  /^(Parser|Binder|Catalog|Conversion|Invalid Input|Permission|Not implemented|Out of Range|Constraint|Dependency|Serialization|Syntax|Type Mismatch|Invalid type|Mismatch Type|Sequence|Invalid) Error/i;

let running: DuckDBConnection | undefined;

async function runStatement(request: SandboxRequest): Promise<SandboxReply> {
  const instance = await DuckDBInstance.create(':memory:', {
    memory_limit: request.memoryLimit,
    threads: String(request.threads),
    // No spilling: a query past its memory limit fails rather than filling the disk.
    temp_directory: '',
    autoload_known_extensions: 'false',
    autoinstall_known_extensions: 'false',
    allow_community_extensions: 'false',
    allow_unsigned_extensions: 'false',
    allow_persistent_secrets: 'false',
  });
  const connection = await instance.connect();
  try {
    for (const view of request.views) await connection.run(view);
    // A view over read_parquet is bound again by every query, so its file must stay readable
    // once access is off: exactly these files, and nothing else, are allowed.
    if (request.allowPaths) await connection.run(request.allowPaths);
    await connection.run('set enable_external_access = false');
    await connection.run('set lock_configuration = true');
    running = connection;
    const reader = await readCapped(connection, request.sql, request.maxRows + 1);
    const rows = reader.getRows();
    const types = reader.columnTypes();
    const result = presentResult({
      columns: reader.columnNames().map((name, i) => ({ name, type: types[i]! })),
      rows: rows.slice(0, request.maxRows),
      truncated: rows.length > request.maxRows,
    });
    return { kind: 'done', result: withinBytes(result, request.maxBytes) };
  } catch (error) {
    return failure(error, request);
  } finally {
    running = undefined;
    connection.closeSync();
    instance.closeSync();
  }
}

/**
 * The first `rows` rows of the statement's answer. A streamed DuckDB result that fails half-way
 * ends as one that is done (the node bindings do not expose duckdb_result_error): a statement
 * whose 300,000th row failed a cast answered 47,104 rows as if they were all. So the statement
 * runs as a subquery under a LIMIT, materialised: DuckDB still stops at the cap, and an error
 * anywhere before it rejects. `query()` takes the text as it was checked, with its comments and
 * its trailing semicolon; it also refuses anything but one query, a second wall behind the
 * checker. It cannot bind a PIVOT without its IN list (the columns come from a query run while
 * binding): that statement alone is streamed as before.
 */
async function readCapped(connection: DuckDBConnection, sql: string, rows: number) {
  try {
    return await connection.runAndReadAll(
      `SELECT * FROM query('${sql.replaceAll("'", "''")}') LIMIT ${Math.trunc(rows)}`,
    );
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    if (/not supported in query\(\) function/.test(error.message))
      return connection.streamAndReadUntil(sql, rows);
    throw await asTyped(connection, sql, error);
  }
}

/**
 * The error of `sql` as the caller wrote it: DuckDB's context line (`LINE 1: …` and a caret)
 * quotes the statement it ran, here the query() around the caller's. A statement that DuckDB
 * refuses before running it (syntax, an unknown column) is refused again on its own, with the
 * caret where the caller's mistake is; an error met while running keeps its message only.
 */
async function asTyped(connection: DuckDBConnection, sql: string, error: Error): Promise<Error> {
  const contextFree = new Error(error.message.replace(/\s*LINE \d+:[\s\S]*$/, ''));
  if (error.message.includes('Expected a single SELECT statement')) return contextFree;
  try {
    (await connection.prepare(sql)).destroySync();
  } catch (refused) {
    if (refused instanceof Error) return refused;
  }
  return contextFree;
}

/** The answer cut to the rows that fit in `maxBytes` of JSON, so no answer floods the server. */
function withinBytes(result: PresentedResult, maxBytes: number): PresentedResult {
  let bytes = 0;
  for (const [i, item] of result.items.entries()) {
    bytes += Buffer.byteLength(JSON.stringify(item)) + 1;
    if (bytes > maxBytes) return { ...result, items: result.items.slice(0, i), truncated: true };
  }
  return result;
}

/** DuckDB's error for the caller, with this server's file paths replaced by resource ids. */
function failure(error: unknown, request: SandboxRequest): SandboxReply {
  const message = error instanceof Error ? error.message : String(error);
  if (message.startsWith('INTERRUPT Error'))
    return { kind: 'failed', reason: 'interrupted', message };
  if (message.startsWith('Out of Memory Error'))
    return { kind: 'failed', reason: 'memory', message };
  if (!userErrors.test(message)) return { kind: 'failed', reason: 'internal', message };
  let shown = message;
  for (const table of request.tables) shown = shown.replaceAll(table.parquetPath, table.resourceId);
  return { kind: 'failed', reason: 'statement', message: shown.replace(/\s+/g, ' ').slice(0, 500) };
}

const send = (reply: SandboxReply) =>
  new Promise<void>((resolve) => process.send?.(reply, () => resolve()));

// The parent going away (its shutdown, a crash) ends the sandbox too.
process.on('disconnect', () => process.exit(0));
process.on('message', (message: SandboxRequest | { kind: 'interrupt' }) => {
  if (message.kind === 'interrupt') {
    running?.interrupt();
    return;
  }
  void runStatement(message).then(send, (error: unknown) =>
    send({ kind: 'failed', reason: 'internal', message: String(error) }),
  );
});
void send({ kind: 'ready' });
