import { sql, type Kysely, type Selectable } from 'kysely';
import { shownResourceFile, type Viewer } from '../catalog/index.js';
import type { DatastoreIngestsTable, IngestState, Schema } from '../db/index.js';

type Db = Kysely<Schema>;
export type IngestRow = Selectable<DatastoreIngestsTable>;

export function insertIngest(
  db: Db,
  values: {
    resource_id: string;
    blob_sha256: string;
    file_name: string | null;
    options: unknown;
    bytes_total: number | null;
    created_by: string | null;
  },
): Promise<IngestRow> {
  return db
    .insertInto('datastore_ingests')
    .values({ ...values, options: JSON.stringify(values.options) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Ends the queued ingests of one file of a resource, which a newer one of the same file replaces:
 * each would only be overtaken by it. Twenty re-runs queued by one publisher made another's small
 * upload wait 102 s. Their jobs find them no longer queued and end (markRunning).
 */
export async function supersedeQueued(
  db: Db,
  resourceId: string,
  blobSha256: string,
): Promise<void> {
  await db
    .updateTable('datastore_ingests')
    .set({
      state: 'failed',
      error: 'replaced by a newer ingest of the same file before it started',
      finished_at: sql`now()`,
    })
    .where('resource_id', '=', resourceId)
    .where('blob_sha256', '=', blobSha256)
    .where('state', '=', 'queued')
    .execute();
}

export async function setJobId(db: Db, id: string, jobId: string): Promise<void> {
  await db.updateTable('datastore_ingests').set({ job_id: jobId }).where('id', '=', id).execute();
}

/**
 * The newest ingest of one file of a resource (the file a caller is shown), or the newest in
 * `state`: the finished one is the table of callers shown that file (the published one, while a
 * replacement waits for approval in the working copy).
 */
export function latestIngestOfFile(
  db: Db,
  resourceId: string,
  blobSha256: string,
  state?: IngestState,
): Promise<IngestRow | undefined> {
  return db
    .selectFrom('datastore_ingests')
    .selectAll()
    .where('resource_id', '=', resourceId)
    .where('blob_sha256', '=', blobSha256)
    .$if(state !== undefined, (query) => query.where('state', '=', state!))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/**
 * The finished ingest of the file a viewer is shown of a resource, in one round trip: the one
 * the resource serves when that is its file, else the newest finished one of that file (the
 * published file's, while a replacement waits for approval). A shown file with an ingest but
 * no finished one (a replacement still being read, or one that could not be read) has the
 * table the resource serves, so that a new upload swaps in only once it has succeeded. No row:
 * the viewer may not see the resource; `ingest_id` null: it has no table (a link, or a file
 * that is not a table).
 */
export async function shownIngest(
  db: Db,
  viewer: Viewer,
  resourceId: string,
): Promise<ShownIngest | undefined> {
  const { rows } = await sql<ShownIngest>`
    SELECT f.dataset_id, i.id AS ingest_id, i.table_name, i.table_schema, i.row_count,
      i.finished_at, greatest(i.finished_at, i.schema_edited_at) AS modified_at, i.parquet_sha256
    FROM ${shownResourceFile(viewer, resourceId)} AS f
      LEFT JOIN LATERAL (
        SELECT i.* FROM datastore_ingests i
        WHERE i.resource_id = f.resource_id AND i.state = 'done'
          AND (i.blob_sha256 = f.blob_sha256
            OR i.id = f.serving_ingest_id AND EXISTS (
              SELECT FROM datastore_ingests n
              WHERE n.resource_id = f.resource_id AND n.blob_sha256 = f.blob_sha256))
        ORDER BY i.blob_sha256 = f.blob_sha256 DESC, i.id = f.serving_ingest_id DESC,
          i.created_at DESC, i.id DESC LIMIT 1) AS i
        ON true`.execute(db);
  return rows[0];
}

export interface ShownIngest extends Pick<
  IngestRow,
  'table_name' | 'table_schema' | 'row_count' | 'finished_at' | 'parquet_sha256'
> {
  dataset_id: string;
  ingest_id: string | null;
  /** When the table was written or its schema last edited, whichever is later. */
  modified_at: Date | null;
}

/**
 * One try of an ingest: what its writes are made for. A try the sweep gave up on (its process
 * silent too long, yet alive: a paused command, an overloaded host) may still finish or fail after
 * the next try has started; its writes then change nothing.
 */
export type IngestTry = Pick<IngestRow, 'id' | 'attempts'>;

/** Claims a queued or lost ingest for this try; false when it is already finished. */
export async function markRunning(db: Db, id: string, now: Date): Promise<IngestRow | undefined> {
  return db
    .updateTable('datastore_ingests')
    .set((eb) => ({
      state: 'running' as IngestState,
      attempts: eb('attempts', '+', 1),
      started_at: now,
      heartbeat_at: now,
      rows_done: 0,
      bytes_done: 0,
      error: null,
    }))
    .where('id', '=', id)
    .where('state', 'in', ['queued', 'running'])
    .returningAll()
    .executeTakeFirst();
}

export async function recordProgress(
  db: Db,
  ingest: IngestTry,
  progress: { rows: number; bytes: number },
  now: Date,
): Promise<void> {
  await db
    .updateTable('datastore_ingests')
    .set({ rows_done: progress.rows, bytes_done: progress.bytes, heartbeat_at: now })
    .where('id', '=', ingest.id)
    .where('attempts', '=', ingest.attempts)
    .where('state', '=', 'running')
    .execute();
}

export async function recordHeartbeat(db: Db, ingest: IngestTry, now: Date): Promise<void> {
  await db
    .updateTable('datastore_ingests')
    .set({ heartbeat_at: now })
    .where('id', '=', ingest.id)
    .where('attempts', '=', ingest.attempts)
    .where('state', '=', 'running')
    .execute();
}

export async function markFailed(
  db: Db,
  ingest: IngestTry,
  error: string,
  report: unknown,
  now: Date,
  final: boolean,
): Promise<void> {
  await db
    .updateTable('datastore_ingests')
    .set({
      // A try that will be retried goes back to the queue, with what went wrong kept for show;
      // its progress goes, as the next try starts from the beginning.
      state: final ? 'failed' : 'queued',
      error,
      report: report === undefined ? null : JSON.stringify(report),
      finished_at: final ? now : null,
      heartbeat_at: null,
      ...(!final && { rows_done: 0, bytes_done: 0 }),
    })
    .where('id', '=', ingest.id)
    .where('attempts', '=', ingest.attempts)
    .execute();
}

/**
 * Puts a running ingest back in the queue without its job, which ends: the sweep of lost ingests
 * (any process that runs workers, at its start and every few seconds) sends it a new one. What
 * a process does with an ingest it stops at shutdown: the try is not one of its tries.
 */
export async function requeueWithoutJob(db: Db, ingest: IngestTry, reason: string): Promise<void> {
  await db
    .updateTable('datastore_ingests')
    .set({
      state: 'queued',
      job_id: null,
      error: reason,
      heartbeat_at: null,
      rows_done: 0,
      bytes_done: 0,
      attempts: sql`greatest(attempts - 1, 0)`,
    })
    .where('id', '=', ingest.id)
    .where('attempts', '=', ingest.attempts)
    .where('state', '=', 'running')
    .execute();
}

/**
 * Records a finished ingest and makes its table the one served, unless a newer ingest of the
 * resource already succeeded (an older upload finishing late must not win). Returns the table it
 * replaced, for dropping once queries running on it have finished.
 */
export async function markDoneAndServe(
  db: Db,
  done: IngestTry,
  result: {
    report: unknown;
    tableSchema: unknown;
    tableName: string;
    parquetSha256: string;
    rowCount: number;
    bytes: number;
  },
  now: Date,
  /** Runs in the same transaction once the table is served (the search index of its columns). */
  onServed: (tx: Db, datasetId: string) => Promise<void> = async () => {},
): Promise<{ served: boolean; replacedTable: string | null } | 'overtaken'> {
  const id = done.id;
  return db.transaction().execute(async (tx) => {
    const ingest = await tx
      .updateTable('datastore_ingests')
      .set({
        state: 'done',
        report: JSON.stringify(result.report),
        table_schema: JSON.stringify(result.tableSchema),
        table_name: result.tableName,
        parquet_sha256: result.parquetSha256,
        row_count: result.rowCount,
        rows_done: result.rowCount,
        bytes_done: result.bytes,
        finished_at: now,
        heartbeat_at: null,
      })
      .where('id', '=', id)
      .where('attempts', '=', done.attempts)
      .returning(['resource_id', 'created_at'])
      .executeTakeFirst();
    // A later try runs (or ran) this ingest: it serves its own table, of the same name.
    if (!ingest) return 'overtaken' as const;
    const current = await tx
      .selectFrom('resources')
      .leftJoin('datastore_ingests', 'datastore_ingests.id', 'resources.datastore_ingest_id')
      .select([
        'datastore_ingests.table_name',
        'datastore_ingests.created_at',
        'resources.dataset_id',
      ])
      .where('resources.id', '=', ingest.resource_id)
      .forUpdate('resources')
      .executeTakeFirst();
    if (current?.created_at && current.created_at > ingest.created_at)
      return { served: false, replacedTable: null };
    await tx
      .updateTable('resources')
      .set({ datastore_ingest_id: id, table_schema: JSON.stringify(result.tableSchema) })
      .where('id', '=', ingest.resource_id)
      .execute();
    if (current) await onServed(tx, current.dataset_id);
    return { served: true, replacedTable: current?.table_name ?? null };
  });
}

/** Running ingests whose process stopped writing progress: lost with a crash or a kill. */
export function lostIngests(db: Db, silentSince: Date): Promise<IngestRow[]> {
  return db
    .selectFrom('datastore_ingests')
    .selectAll()
    .where('state', '=', 'running')
    .where('heartbeat_at', '<', silentSince)
    .execute();
}

/** Ingests queued in a transaction whose job never reached the queue. */
export function queuedWithoutJob(db: Db): Promise<IngestRow[]> {
  return db
    .selectFrom('datastore_ingests')
    .selectAll()
    .where('state', '=', 'queued')
    .where('job_id', 'is', null)
    .execute();
}

/**
 * Records the publisher's edits of a finished ingest's schema, and serves them if it is served.
 * Run it in a transaction: the two rows change together.
 */
export async function updateTableSchema(
  tx: Db,
  ingest: { id: string; resource_id: string },
  options: unknown,
  tableSchema: unknown,
): Promise<void> {
  await tx
    .updateTable('datastore_ingests')
    .set({
      options: JSON.stringify(options),
      table_schema: JSON.stringify(tableSchema),
      schema_edited_at: sql<Date>`now()`,
    })
    .where('id', '=', ingest.id)
    .execute();
  await tx
    .updateTable('resources')
    .set({ table_schema: JSON.stringify(tableSchema) })
    .where('id', '=', ingest.resource_id)
    .where('datastore_ingest_id', '=', ingest.id)
    .execute();
}

/** Holds a resource's row until the transaction ends: changes to its ingests take turns. */
export async function lockResource(tx: Db, resourceId: string): Promise<void> {
  await tx.selectFrom('resources').select('id').where('id', '=', resourceId).forUpdate().execute();
}

/**
 * The options of a resource's previous ingest, which the next one starts from: its newest that
 * did not fail (a failed one's options are what to change), else its newest.
 */
export async function previousOptions(db: Db, resourceId: string): Promise<unknown> {
  const row = await db
    .selectFrom('datastore_ingests')
    .select('options')
    .where('resource_id', '=', resourceId)
    .orderBy(sql`state = 'failed'`)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.options;
}

/**
 * Ingests whose tables a node must keep: those resources serve now, those being made, and those
 * finished since `since` (a publisher's replacement awaiting approval, or a table just swapped
 * out that queries may still be reading).
 */
export async function keptIngestIds(db: Db, since: Date): Promise<string[]> {
  const rows = await db
    .selectFrom('datastore_ingests')
    .select('id')
    .where((eb) =>
      eb.or([
        eb('id', 'in', eb.selectFrom('resources').select('datastore_ingest_id')),
        eb('state', 'in', ['queued', 'running']),
        eb('finished_at', '>', since),
      ]),
    )
    .execute();
  return rows.map((row) => row.id);
}
