import { mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Actor } from '../catalog/index.js';
import type { Schema } from '../db/index.js';
import {
  quoteIdentifier,
  quoteLiteral,
  type ServedTable,
  type ServedTables,
  type TableStore,
} from '../datastore/index.js';
import type { BlobStore } from '../files/index.js';
import { AppError, Forbidden, NotFound } from '../lib/errors.js';
import { checkStatement } from './sql-check.js';
import type { PresentedResult } from './sql-present.js';
import { parquetOfIngest } from './sql-queries.js';
import type { SandboxTable, SqlSandbox } from './sql-sandbox.js';

const unusedExportMs = 24 * 60 * 60_000;

export interface SqlRequest {
  sql: string;
  /** Most rows wanted; capped by the sandbox's row cap. */
  limit?: number;
  /** Shorter time limit than the server's, in seconds. */
  timeoutSeconds?: number;
}

/**
 * The read-only SQL endpoint's rules: the statement is checked by DuckDB's parser
 * (sql-check.ts), every resource it names must be one the caller may read (the same rule as the
 * records endpoint, through `ServedTables`), and it runs in a locked-down sandbox over those
 * tables' Parquet copies only (sql-sandbox.ts).
 */
export function createSqlService(deps: {
  db: Kysely<Schema>;
  servedTables: ServedTables;
  tables: TableStore;
  blobs: BlobStore;
  sandbox: SqlSandbox;
}) {
  const { db, servedTables, tables, blobs, sandbox } = deps;
  const exporting = new Map<string, Promise<string>>();
  const exportDirectory = join(tables.directory, 'sql');

  /**
   * A Parquet file of the table on this machine's disk: the ingest's own copy when the blob store
   * is a local directory, else an export of the node's table, kept per table version (a version
   * never changes, so the file never goes stale).
   */
  const parquetFileOf = async (table: ServedTable): Promise<string> => {
    const sha256 = await parquetOfIngest(db, table.ingestId);
    if (sha256 && blobs.localPath) return blobs.localPath(sha256);
    const path = join(exportDirectory, `${table.version}.parquet`);
    let pending = exporting.get(path);
    if (!pending) {
      pending = exportTable(table.tableName, path).finally(() => exporting.delete(path));
      exporting.set(path, pending);
    }
    await pending;
    // The modification time records the last use, for `removeUnusedExports`.
    const now = new Date();
    await utimes(path, now, now).catch(() => undefined);
    return path;
  };

  /**
   * Exports nobody has queried for a day are removed (a table still served is exported again
   * when asked for). Judging by last use, not by which table is served, keeps the export of the
   * published table while the publisher's replacement waits for review beside it.
   */
  const removeUnusedExports = async () => {
    const names = await readdir(exportDirectory).catch(() => [] as string[]);
    const cutoff = Date.now() - unusedExportMs;
    for (const name of names) {
      if (!name.endsWith('.parquet')) continue;
      const path = join(exportDirectory, name);
      const facts = await stat(path).catch(() => null);
      if (facts && facts.mtimeMs < cutoff) await rm(path, { force: true });
    }
  };

  const exportTable = async (tableName: string, path: string): Promise<string> => {
    if (await stat(path).catch(() => null)) return path;
    await mkdir(exportDirectory, { recursive: true });
    const partial = `${path}.${process.pid}.partial`;
    try {
      await tables.withConnection((c) =>
        c.run(
          `copy (select * from ${quoteIdentifier(tableName)})
           to ${quoteLiteral(partial)} (format parquet, compression zstd)`,
        ),
      );
      await rename(partial, path);
      await removeUnusedExports();
    } finally {
      await rm(partial, { force: true });
    }
    return path;
  };

  /** The caller's table of `resourceId`, or a 404/403 that names it. */
  const readableTable = async (actor: Actor, resourceId: string): Promise<ServedTable> => {
    try {
      return await servedTables.find(actor, resourceId);
    } catch (error) {
      if (error instanceof AppError && error.status === 404) {
        throw new NotFound(`Table "${resourceId}"`);
      }
      if (error instanceof AppError && error.status === 403) {
        throw new Forbidden(`You may not read the table "${resourceId}"`);
      }
      throw error;
    }
  };

  return {
    async run(actor: Actor, request: SqlRequest): Promise<PresentedResult> {
      const { resourceIds } = checkStatement(await sandbox.parse(request.sql));
      const found = await Promise.all(resourceIds.map((id) => readableTable(actor, id)));
      const sandboxTables: SandboxTable[] = await Promise.all(
        found.map(async (table, i) => ({
          resourceId: resourceIds[i]!,
          parquetPath: await parquetFileOf(table),
        })),
      );
      return sandbox.run(request.sql, sandboxTables, {
        ...(request.limit !== undefined && { maxRows: request.limit }),
        ...(request.timeoutSeconds !== undefined && {
          timeLimitMs: Math.round(request.timeoutSeconds * 1000),
        }),
      });
    },
  };
}

export type SqlService = ReturnType<typeof createSqlService>;
