import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, constants, openSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { promisify } from 'node:util';
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdentifier, quoteLiteral } from '../datastore/index.js';
import { queryError } from './errors.js';
import { selectSql, type QueryPlan } from './query-plan.js';
import { csvValueSql } from './render-sql.js';

/**
 * A CSV export written by DuckDB's `COPY` into a named pipe in `workDirectory`, which the
 * response reads from as DuckDB writes (see `sendCsv` in exports.ts for when it is used).
 */
export async function sendPipedCsv(
  connection: DuckDBConnection,
  plan: QueryPlan,
  from: string,
  workDirectory: string,
  send: (body: Readable) => Promise<void>,
): Promise<void> {
  await mkdir(workDirectory, { recursive: true });
  const path = join(workDirectory, `${randomUUID()}.csv`);
  await promisify(execFile)('mkfifo', ['-m', '600', path]);
  const { sql, params } = selectSql(plan, from, {
    projection: plan.outputs.map(
      (output) => `${csvValueSql(output)} AS ${quoteIdentifier(output.name)}`,
    ),
  });
  // The pipe is read through the event loop (epoll), not the thread pool. A reader opened
  // without waiting sees end-of-file while no writer is there: `keeper` is a writer until
  // DuckDB's first bytes, so that DuckDB never opens a pipe nobody reads (its open() would wait
  // forever, in a pool thread).
  const pipe = new Socket({
    fd: openSync(path, constants.O_RDONLY | constants.O_NONBLOCK),
    writable: false,
  });
  let keeper: number | undefined = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  const releaseKeeper = () => {
    if (keeper !== undefined) closeSync(keeper);
    keeper = undefined;
  };
  let copying: Promise<unknown> | undefined;
  try {
    const statement = await connection.prepare(
      `COPY (${sql}) TO ${quoteLiteral(path)} (FORMAT csv, HEADER true, USE_TMP_FILE false)`,
    );
    for (const [i, value] of params.entries()) statement.bindVarchar(i + 1, value);
    copying = statement.run().finally(() => {
      statement.destroySync();
      releaseKeeper();
    });
    copying.catch(() => undefined);
    const finished = copying;
    pipe.once('data', releaseKeeper);
    // The pipe also ends when DuckDB fails half-way: only a finished COPY is a whole file.
    const body = new PassThrough({
      flush: (callback) =>
        void finished.then(
          () => callback(),
          (error: unknown) => callback(queryError(error) as Error),
        ),
    });
    pipe.pipe(body);
    await send(body);
  } finally {
    if (copying) {
      // A client gone away: stop the query, and keep reading (and dropping) what DuckDB still
      // writes, so that no write of it waits on a full pipe.
      let settled = false;
      void copying.finally(() => (settled = true)).catch(() => undefined);
      await Promise.resolve();
      if (!settled) connection.interrupt();
      pipe.on('data', () => undefined).resume();
      await copying.catch(() => undefined);
    }
    pipe.destroy();
    releaseKeeper();
    await rm(path, { force: true });
  }
}
