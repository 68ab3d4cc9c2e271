import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Kysely } from 'kysely';
import { viewerOf, type Actor } from '../catalog/index.js';
import { followedCache, type Database, type Schema } from '../db/index.js';
import type { BlobStore } from '../files/index.js';
import { NotFound } from '../lib/errors.js';
import * as q from './queries.js';
import type { TableSchema } from './table-schema.js';
import {
  ingestTableName,
  isIngestTableName,
  quoteIdentifier,
  quoteLiteral,
  tableFromParquetSql,
  type TableStore,
} from './table-store.js';

/** The typed table behind a resource, as the caller is allowed to see it. */
export interface ServedTable {
  resourceId: string;
  datasetId: string;
  ingestId: string;
  /** The table's name in the node's DuckDB (`TableStore`); quote it with `quoteIdentifier`. */
  tableName: string;
  schema: TableSchema;
  rowCount: number;
  /**
   * When the table was written or its schema (titles shown in answers) last edited, whichever is
   * later: `Last-Modified` of everything read from it.
   */
  modifiedAt: Date;
  /**
   * Changes whenever another table (a new file, a re-run, a schema edit) is served: the basis of
   * `ETag`s on results. The ingest id alone is enough, since a table never changes in place.
   */
  version: string;
  /** The ingest's Parquet copy in the blob store, from which a node lacking the table loads it. */
  parquetSha256: string | null;
}

/**
 * Finds the table of a resource for a caller, and makes sure it is on this node.
 *
 * The table follows the file the caller is shown: while a publisher's replacement waits for
 * approval, the public keeps reading the table of the published file. A node that lacks the table
 * (a second API node, or a table the drop job removed after a newer file was served) loads it
 * from the Parquet copy every ingest leaves in the blob store.
 *
 * @example
 *   const table = await served.find(actor, resourceId);
 *   await tables.withConnection((c) => c.run(`select count(*) from ${quoteIdentifier(table.tableName)}`));
 */
export function createServedTables(deps: {
  db: Kysely<Schema>;
  tables: TableStore;
  blobs: BlobStore;
}) {
  const { db, tables, blobs } = deps;
  const present = new Set<string>();
  const loading = new Map<string, Promise<void>>();
  /** When each table was last found for a request on this node (ms); before that, start-up. */
  const lastUsed = new Map<string, number>();
  const startedAt = Date.now();

  // What each kind of caller was last found to be served, until the catalog or an ingest
  // changes: the data API then answers without a catalog query, as fast as DuckDB allows.
  const remembered = followedCache<ServedTable>();

  const exists = (name: string) =>
    tables.withConnection(async (c) => {
      const reader = await c.runAndReadAll(
        `select 1 from duckdb_tables() where table_name = ${quoteLiteral(name)}`,
      );
      return reader.currentRowCount > 0;
    });

  const loadFromParquet = async (name: string, parquetSha256: string) => {
    const work = join(tables.directory, 'load', name);
    try {
      let path = blobs.localPath?.(parquetSha256);
      if (!path) {
        await mkdir(work, { recursive: true });
        path = join(work, 'table.parquet');
        await pipeline(await blobs.open(parquetSha256), createWriteStream(path));
      }
      // On one thread, as an ingest loads: the rows keep the file's order, which is row order.
      await tables.withOneThread(async (c) =>
        c.run(
          `create table if not exists ${quoteIdentifier(name)} as
           ${await tableFromParquetSql(c, path)}`,
        ),
      );
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  };

  /** Loads a missing table once, however many requests ask for it at the same time. */
  const ensureOnThisNode = async (name: string, parquetSha256: string | null) => {
    if (present.has(name)) return;
    let load = loading.get(name);
    if (!load) {
      load = (async () => {
        if (await exists(name)) return;
        if (!parquetSha256) throw new NotFound('Table');
        await loadFromParquet(name, parquetSha256);
      })().finally(() => loading.delete(name));
      loading.set(name, load);
    }
    await load;
    present.add(name);
  };

  return {
    async find(actor: Actor, resourceId: string): Promise<ServedTable> {
      const viewer = viewerOf(actor);
      const key = `${viewer.sysadmin ? '*' : [...viewer.organizationIds].sort().join(',')} ${resourceId}`;
      const table = await remembered.read(key, async () => {
        const shown = uuid.test(resourceId)
          ? await q.shownIngest(db, viewer, resourceId)
          : undefined;
        if (!shown) throw new NotFound('Resource');
        const { ingest_id: ingestId, table_name: tableName, table_schema: schema } = shown;
        if (!ingestId || !tableName || !schema || !shown.modified_at) throw new NotFound('Table');
        return {
          resourceId,
          datasetId: shown.dataset_id,
          ingestId,
          tableName,
          schema: schema as TableSchema,
          rowCount: Number(shown.row_count ?? 0),
          modifiedAt: shown.modified_at,
          version: ingestId,
          parquetSha256: shown.parquet_sha256,
        };
      });
      await ensureOnThisNode(table.tableName, table.parquetSha256);
      lastUsed.set(table.tableName, Date.now());
      return table;
    },

    /**
     * Drops this node's tables that no resource serves, no ingest is making or just made, and no
     * request has asked for in `idleMs`. The drop job after a swap reaches one node only: on
     * every other API node a replaced table would stay on disk for good. A table dropped here
     * and asked for again is loaded from its Parquet copy. Returns the names dropped.
     */
    async sweep(idleMs = 30 * 60_000, now = Date.now()): Promise<string[]> {
      const kept = new Set(
        (await q.keptIngestIds(db, new Date(now - idleMs))).map(ingestTableName),
      );
      const local = await tables.withConnection(async (c) =>
        (await c.runAndReadAll(`select table_name from duckdb_tables()`))
          .getRows()
          .map((row) => String(row[0])),
      );
      const dropped: string[] = [];
      for (const name of local) {
        if (!isIngestTableName(name) || kept.has(name) || loading.has(name)) continue;
        if (now - (lastUsed.get(name) ?? startedAt) < idleMs) continue;
        await tables.dropTable(name);
        present.delete(name);
        lastUsed.delete(name);
        dropped.push(name);
      }
      return dropped;
    },

    /**
     * Remembers lookups from now on, for as long as the database reports the changes that could
     * alter them (migration 0009). Without it, every lookup reads the catalog.
     */
    followChanges: (database: Pick<Database, 'listen'>) =>
      remembered.follow(database, 'served_tables_changed'),

    /**
     * Runs `work` on the caller's table of a resource. A table dropped since this node last saw
     * it (the drop job removes replaced tables, on any node) is loaded again and `work` retried
     * once, so a request racing a swap still gets an answer.
     */
    async read<T>(
      actor: Actor,
      resourceId: string,
      work: (table: ServedTable, connection: DuckDBConnection) => Promise<T>,
    ): Promise<T> {
      const table = await this.find(actor, resourceId);
      try {
        return await tables.withConnection((c) => work(table, c));
      } catch (error) {
        if (!isMissingTable(error, table.tableName)) throw error;
        present.delete(table.tableName);
        remembered.forget();
        const again = await this.find(actor, resourceId);
        return tables.withConnection((c) => work(again, c));
      }
    },
  };
}

export type ServedTables = ReturnType<typeof createServedTables>;

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isMissingTable(error: unknown, name: string): boolean {
  return (
    error instanceof Error &&
    error.message.includes('Catalog Error') &&
    error.message.includes(name) &&
    error.message.includes('does not exist')
  );
}
