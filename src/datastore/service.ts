import type { Kysely } from 'kysely';
import { viewerOf, type Actor, type Catalog, type FileStoredHook } from '../catalog/index.js';
import type { Schema } from '../db/index.js';
import type { JobQueue } from '../jobs/index.js';
import { Conflict, Invalid, NotFound } from '../lib/errors.js';
import { checkPatterns } from './constraints.js';
import {
  applySchemaEdits,
  withPublisherEdits,
  type FieldEdit,
  type TableSchema,
} from './table-schema.js';
import type { IngestOptions } from './ingest.js';
import {
  checkLayout,
  checkTypes,
  hasSheets,
  isTabular,
  mergedOptions,
  normalisedEdit,
  normalisedRerun,
  presentOptions,
  takesLayout,
  withUnusedOptions,
  type RerunRequest,
} from './ingest-options.js';
import { ingestJob } from './jobs.js';
import type { TableStore } from './table-store.js';
import * as q from './queries.js';
import { checkEncoding } from './source.js';
import type { ValidationReport } from './report.js';

/** Queues an ingest for `resource`'s file in the transaction `tx`. */
async function queueIngest(
  tx: Kysely<Schema>,
  jobs: JobQueue,
  resource: IngestedFile,
  options: IngestOptions,
  createdBy: string | null,
): Promise<q.IngestRow> {
  const ingest = await recordIngest(tx, resource, options, createdBy);
  const jobId = await jobs.send(ingestJob, { ingestId: ingest.id }, { tx });
  if (jobId) await q.setJobId(tx, ingest.id, jobId);
  return { ...ingest, job_id: jobId };
}

async function recordIngest(
  tx: Kysely<Schema>,
  resource: IngestedFile,
  options: IngestOptions,
  createdBy: string | null,
): Promise<q.IngestRow> {
  await q.supersedeQueued(tx, resource.id, resource.blob_sha256);
  return q.insertIngest(tx, {
    resource_id: resource.id,
    blob_sha256: resource.blob_sha256,
    file_name: resource.file_name,
    options,
    bytes_total: resource.size_bytes,
    created_by: createdBy,
  });
}

/** Names of the formats read into tables: a file called so is meant to be one. */
const tableFileName = /\.(csv|tsv|tab|psv|xlsx|xlsm|xls|ods|json|ndjson|jsonl|geojson|parquet)$/i;

interface StoredFile {
  id: string;
  media_type: string | null;
  file_name: string | null;
}

/** A resource's file that an ingest reads. */
interface IngestedFile {
  id: string;
  blob_sha256: string;
  file_name: string | null;
  size_bytes: number | null;
}

/**
 * Whether a resource's file is read into a table with `options`: a tabular file; one named as a
 * table whose bytes the upload could not identify at all (random bytes in `report.csv`: its
 * ingest fails with the reason, stored where the publisher looks for the table, instead of
 * there being no ingest to look at); a text file with a column layout.
 */
function readsAsTable(resource: StoredFile, options: IngestOptions): boolean {
  const unidentifiedTable =
    resource.media_type === 'application/octet-stream' &&
    tableFileName.test(resource.file_name ?? '');
  return isTabular(resource.media_type) || unidentifiedTable || options.fixedWidth !== undefined;
}

/**
 * The options a resource's new file is read with: the publisher's choices for the file it
 * replaces (titles, constraints, types, encoding; the sheet for a workbook, the layout for a
 * text file that is no table by itself), then `given`.
 */
async function optionsForNewFile(
  tx: Kysely<Schema>,
  resource: StoredFile,
  given: IngestOptions,
): Promise<IngestOptions> {
  const previous = ((await q.previousOptions(tx, resource.id)) ?? {}) as IngestOptions;
  const { sheet, fixedWidth, ...kept } = previous;
  const layoutStays = takesLayout(resource.media_type) && !isTabular(resource.media_type);
  return {
    ...kept,
    ...(sheet !== undefined && hasSheets(resource.media_type) && { sheet }),
    ...(fixedWidth !== undefined && layoutStays && { fixedWidth }),
    ...given,
  };
}

/** The resource's file and the options to read it with, if it reads as a table. */
async function fileToIngest(
  tx: Kysely<Schema>,
  resource: Parameters<FileStoredHook>[1],
  given: IngestOptions,
): Promise<{ file: IngestedFile; options: IngestOptions } | undefined> {
  if (resource.blob_sha256 === null) return undefined;
  const options = await optionsForNewFile(tx, resource, given);
  if (!readsAsTable(resource, options)) return undefined;
  return { file: { ...resource, blob_sha256: resource.blob_sha256 }, options };
}

/** The catalog hook: every file a resource gets that reads as a table is queued for ingest. */
export function ingestOnFileStored(jobs: JobQueue, options: IngestOptions = {}): FileStoredHook {
  return async (tx, resource, context) => {
    const found = await fileToIngest(tx, resource, options);
    if (found)
      await queueIngest(tx, jobs, found.file, found.options, context.actor.user?.id ?? null);
  };
}

/**
 * The catalog hook of `khomoun ingest`, which runs the ingest itself (`runIngestHere`) instead of
 * queueing it: the ingest is recorded already running, with a heartbeat, and no job, in the same
 * transaction, so that no worker ever sees it waiting and takes it. Should the process die, its
 * heartbeat stops and the sweep of lost ingests of any server or worker queues it (worker.ts).
 * `claimed` gets the ingest, which exists once the transaction commits.
 */
export function claimIngestOnFileStored(
  options: IngestOptions,
  now: () => Date,
  claimed: (ingest: q.IngestRow) => void,
): FileStoredHook {
  return async (tx, resource, context) => {
    const found = await fileToIngest(tx, resource, options);
    if (!found) return;
    const ingest = await recordIngest(
      tx,
      found.file,
      found.options,
      context.actor.user?.id ?? null,
    );
    const running = await q.markRunning(tx, ingest.id, now());
    if (!running) throw new Error(`the new ingest ${ingest.id} could not be claimed`);
    claimed(running);
  };
}

export interface IngestStatus {
  id: string;
  state: q.IngestRow['state'];
  attempts: number;
  rows: number;
  bytes: number;
  bytesTotal: number | null;
  rowsPerSecond: number | null;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
  /** Whether this ingest's table is the one the data API serves now. */
  serving: boolean;
  options: unknown;
  errorTotals: ValidationReport['totals'] | null;
}

/**
 * Datastore reads for the API: an ingest's progress and report, a resource's table schema, and
 * re-running an ingest with the publisher's options. What a caller may see follows the catalog:
 * the ingest of the file in the dataset version shown to them, or 404.
 */
export function createDatastoreService(deps: {
  db: Kysely<Schema>;
  catalog: Catalog;
  jobs: JobQueue;
  /** This node's tables: their DuckDB judges the publisher's patterns, as the ingest will. */
  tables: TableStore;
  now: () => Date;
}) {
  const { db, catalog, jobs, tables, now } = deps;

  /** The newest ingest of the file the caller sees in this resource. */
  const shownIngest = async (actor: Actor, resourceId: string) => {
    const { dataset, resource } = await catalog.resources.find(actor, resourceId);
    if (resource.blob_sha256 === null) throw new NotFound('Ingest');
    const ingest = await q.latestIngestOfFile(db, resourceId, resource.blob_sha256);
    if (!ingest) throw new NotFound('Ingest');
    return { dataset, resource, ingest };
  };

  /**
   * Runs `change` in a transaction holding the resource's row, so that edits of one resource's
   * schema and options take turns: each reads what the one before it wrote.
   */
  const whileHeld = <T>(resourceId: string, change: (tx: Kysely<Schema>) => Promise<T>) =>
    db.transaction().execute(async (tx) => {
      await q.lockResource(tx, resourceId);
      return change(tx);
    });

  return {
    async status(actor: Actor, resourceId: string): Promise<IngestStatus> {
      const { ingest } = await shownIngest(actor, resourceId);
      // Serving means: the table this caller's data API answers from. The public, shown the
      // published file while a replacement waits for approval, is served its ingest's table,
      // not the one the resource serves its editors.
      const viewer = viewerOf(actor);
      const served = await q.shownIngest(db, viewer, resourceId);
      return presentStatus(ingest, served?.ingest_id === ingest.id, now());
    },

    async report(actor: Actor, resourceId: string): Promise<ValidationReport | null> {
      const { ingest } = await shownIngest(actor, resourceId);
      const report = ingest.report as ValidationReport | null;
      if (!report) return null;
      return withUnusedOptions(
        report,
        ingest.options as IngestOptions,
        ingest.table_schema as TableSchema | null,
      );
    },

    /**
     * The schema of the table the data API serves this caller: the one of the file they are
     * shown. Not the resource's serving table as such: while a replacement waits for approval,
     * that is the draft's, whose column names, titles and constraints the public must not see.
     */
    async tableSchema(actor: Actor, resourceId: string): Promise<TableSchema> {
      await shownIngest(actor, resourceId);
      const served = await q.shownIngest(db, viewerOf(actor), resourceId);
      if (!served?.table_schema) throw new NotFound('Table schema');
      return served.table_schema as TableSchema;
    },

    /**
     * Changes the table's schema: titles and descriptions take effect at once; a new type or
     * constraints read the file again (the previous table serves until that succeeds).
     */
    async editSchema(
      actor: Actor,
      resourceId: string,
      edits: readonly FieldEdit[],
    ): Promise<{ schema: TableSchema; ingest: IngestStatus | null }> {
      const { dataset, resource } = await catalog.resources.find(actor, resourceId);
      await catalog.datasets.checkEditable(actor, dataset.row.id);
      const blob = resource.blob_sha256;
      if (blob === null) throw new NotFound('Ingest');
      const normalised = edits.map(normalisedEdit);
      const patterns = normalised.flatMap((edit) =>
        edit.constraints?.pattern === undefined
          ? []
          : [[edit.name, edit.constraints.pattern] as [string, string]],
      );
      if (patterns.length > 0) await tables.withConnection((c) => checkPatterns(c, patterns));
      return whileHeld(resourceId, async (tx) => {
        const shown = await q.latestIngestOfFile(tx, resourceId, blob);
        if (!shown) throw new NotFound('Ingest');
        // After a re-run that failed (a pattern, a forced type), the table that serves is the
        // one to edit again, not a dead end until the publisher re-runs by hand.
        const ingest =
          shown.state === 'failed'
            ? ((await q.latestIngestOfFile(tx, resourceId, blob, 'done')) ?? shown)
            : shown;
        if (ingest.state !== 'done' || !ingest.table_schema)
          throw new Conflict(
            ingest.state === 'failed'
              ? 'The file could not be read into a table; fix the file or re-run the ingest first'
              : 'The file is still being read; edit the schema when it has finished',
          );
        const schema = ingest.table_schema as TableSchema;
        const { options, rerun } = applySchemaEdits(
          ingest.options as IngestOptions,
          schema,
          normalised,
        );
        if (!rerun) {
          const edited = withPublisherEdits(schema, options);
          await q.updateTableSchema(tx, ingest, options, edited);
          return { schema: edited, ingest: null };
        }
        const queued = await queueIngest(
          tx,
          jobs,
          { ...resource, blob_sha256: blob },
          options,
          actor.user?.id ?? null,
        );
        return {
          schema: withPublisherEdits(schema, options),
          ingest: presentStatus(queued, false, now()),
        };
      });
    },

    /**
     * Reads the resource's file again, starting from the options of its previous ingest: what
     * `request` names (a sheet, an encoding, a layout, column types) changes, the rest stays.
     */
    async rerun(actor: Actor, resourceId: string, request: RerunRequest): Promise<IngestStatus> {
      const { dataset, resource } = await catalog.resources.find(actor, resourceId);
      await catalog.datasets.checkEditable(actor, dataset.row.id);
      const blob = resource.blob_sha256;
      if (blob === null)
        throw new Invalid('resource', 'a link has no file to read; upload the file instead');
      const asked = normalisedRerun(request);
      if (asked.encoding !== undefined) checkEncoding(asked.encoding);
      if (asked.sheet !== undefined && !hasSheets(resource.media_type))
        throw new Invalid(
          'sheet',
          `a ${resource.format ?? 'file'} file has no sheets; sheet chooses one of an XLSX, XLSM, XLS or ODS workbook`,
        );
      if (asked.fixedWidth !== undefined) checkLayout(asked.fixedWidth, resource);
      const queued = await whileHeld(resourceId, async (tx) => {
        const previous = ((await q.previousOptions(tx, resourceId)) ?? {}) as IngestOptions;
        const options = mergedOptions(previous, asked);
        if (!readsAsTable(resource, options))
          throw new Conflict(
            `The file is not a table (${resource.format ?? 'unknown format'}); only a text file with a column layout (fixedWidth) can be read into one`,
          );
        const served = await q.latestIngestOfFile(tx, resourceId, blob, 'done');
        checkTypes(asked, options, served);
        return queueIngest(
          tx,
          jobs,
          { ...resource, blob_sha256: blob },
          options,
          actor.user?.id ?? null,
        );
      });
      return presentStatus(queued, false, now());
    },
  };
}

export type DatastoreService = ReturnType<typeof createDatastoreService>;

export type { FieldEdit } from './table-schema.js';
export { isTabular, type RerunRequest } from './ingest-options.js';

function presentStatus(ingest: q.IngestRow, serving: boolean, now: Date): IngestStatus {
  const started = ingest.started_at;
  const until = ingest.finished_at ?? (ingest.state === 'running' ? now : null);
  const seconds = started && until ? (until.getTime() - started.getTime()) / 1000 : 0;
  const report = ingest.report as ValidationReport | null;
  return {
    id: ingest.id,
    state: ingest.state,
    attempts: ingest.attempts,
    rows: Number(ingest.rows_done),
    bytes: Number(ingest.bytes_done),
    bytesTotal: ingest.bytes_total === null ? null : Number(ingest.bytes_total),
    rowsPerSecond: seconds > 0 ? Math.round(Number(ingest.rows_done) / seconds) : null,
    queuedAt: ingest.created_at.toISOString(),
    startedAt: started?.toISOString() ?? null,
    finishedAt: ingest.finished_at?.toISOString() ?? null,
    error: ingest.error,
    serving,
    options: presentOptions(ingest.options),
    errorTotals: report?.totals ?? null,
  };
}
