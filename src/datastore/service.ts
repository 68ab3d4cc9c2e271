import type { Kysely } from 'kysely';
import type { Actor, Catalog, FileStoredHook } from '../catalog/index.js';
import type { Schema } from '../db/index.js';
import type { JobQueue } from '../jobs/index.js';
import { Invalid, NotFound } from '../lib/errors.js';
import type { IngestOptions } from './ingest.js';
import { ingestJob } from './jobs.js';
import * as q from './queries.js';
import type { TableSchema } from './table-schema.js';
import type { ValidationReport } from './report.js';

/** Media types worth reading into a table; anything else (PDF, images, zip) is left alone. */
const tabularMediaTypes = new Set([
  'text/csv',
  'text/tab-separated-values',
  'application/json',
  'application/geo+json',
  'application/x-ndjson',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.ms-excel.sheet.macroEnabled.12',
  'application/vnd.ms-excel',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.apache.parquet',
]);

export function isTabular(mediaType: string | null): boolean {
  return mediaType !== null && tabularMediaTypes.has(mediaType.split(';')[0]!.trim());
}

/** Queues an ingest for `resource`'s file in the transaction `tx`. */
async function queueIngest(
  tx: Kysely<Schema>,
  jobs: JobQueue,
  resource: {
    id: string;
    blob_sha256: string;
    file_name: string | null;
    size_bytes: number | null;
  },
  options: IngestOptions,
  createdBy: string | null,
): Promise<q.IngestRow> {
  const ingest = await q.insertIngest(tx, {
    resource_id: resource.id,
    blob_sha256: resource.blob_sha256,
    file_name: resource.file_name,
    options,
    bytes_total: resource.size_bytes,
    created_by: createdBy,
  });
  const jobId = await jobs.send(ingestJob, { ingestId: ingest.id }, { tx });
  if (jobId) await q.setJobId(tx, ingest.id, jobId);
  return { ...ingest, job_id: jobId };
}

/** The catalog hook: every tabular file a resource gets is queued for ingest with it. */
export function ingestOnFileStored(jobs: JobQueue, options: IngestOptions = {}): FileStoredHook {
  return async (tx, resource, context) => {
    if (resource.blob_sha256 === null) return;
    // A text file is a table only with a column layout; anything else tabular is sniffed.
    if (!isTabular(resource.media_type) && options.fixedWidth === undefined) return;
    await queueIngest(
      tx,
      jobs,
      { ...resource, blob_sha256: resource.blob_sha256 },
      options,
      context.actor.user?.id ?? null,
    );
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
  now: () => Date;
}) {
  const { db, catalog, jobs, now } = deps;

  /** The newest ingest of the file the caller sees in this resource. */
  const shownIngest = async (actor: Actor, resourceId: string) => {
    const { dataset, resource } = await catalog.resources.find(actor, resourceId);
    if (resource.blob_sha256 === null) throw new NotFound('Ingest');
    const ingest = await q.latestIngestOfFile(db, resourceId, resource.blob_sha256);
    if (!ingest) throw new NotFound('Ingest');
    return { dataset, resource, ingest };
  };

  return {
    async status(actor: Actor, resourceId: string): Promise<IngestStatus> {
      const { ingest } = await shownIngest(actor, resourceId);
      const serving = await q.servingIngest(db, resourceId);
      return presentStatus(ingest, serving?.id === ingest.id, now());
    },

    async report(actor: Actor, resourceId: string): Promise<ValidationReport | null> {
      const { ingest } = await shownIngest(actor, resourceId);
      return (ingest.report as ValidationReport | null) ?? null;
    },

    /** The schema of the table served for the resource, or of its newest finished ingest. */
    async tableSchema(actor: Actor, resourceId: string): Promise<TableSchema> {
      const { ingest } = await shownIngest(actor, resourceId);
      const schema =
        ingest.state === 'done'
          ? ingest.table_schema
          : (await q.servingIngest(db, resourceId))?.table_schema;
      if (!schema) throw new NotFound('Table schema');
      return schema as TableSchema;
    },

    /** Reads the resource's file again, with a sheet, an encoding or column types forced. */
    async rerun(actor: Actor, resourceId: string, options: IngestOptions): Promise<IngestStatus> {
      const { dataset, resource } = await catalog.resources.find(actor, resourceId);
      await catalog.datasets.checkEditable(actor, dataset.row.id);
      if (resource.blob_sha256 === null)
        throw new Invalid('resource', 'a link has no file to read; upload the file instead');
      const blob = resource.blob_sha256;
      const ingest = await db
        .transaction()
        .execute((tx) =>
          queueIngest(
            tx,
            jobs,
            { ...resource, blob_sha256: blob },
            options,
            actor.user?.id ?? null,
          ),
        );
      return presentStatus(ingest, false, now());
    },
  };
}

export type DatastoreService = ReturnType<typeof createDatastoreService>;

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
    options: ingest.options,
    errorTotals: report?.totals ?? null,
  };
}
