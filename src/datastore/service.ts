import type { Kysely } from 'kysely';
import type { Actor, Catalog, FileStoredHook } from '../catalog/index.js';
import type { Schema } from '../db/index.js';
import type { JobQueue } from '../jobs/index.js';
import { Conflict, Invalid, NotFound } from '../lib/errors.js';
import type { FieldConstraints } from './constraints.js';
import { withPublisherEdits, type TableSchema } from './table-schema.js';
import type { ColumnType } from './types/index.js';
import type { IngestOptions } from './ingest.js';
import { ingestJob } from './jobs.js';
import * as q from './queries.js';
import { checkEncoding } from './source.js';
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

/** Names of the formats read into tables: a file called so is meant to be one. */
const tableFileName = /\.(csv|tsv|tab|psv|xlsx|xlsm|xls|ods|json|ndjson|jsonl|geojson|parquet)$/i;

/**
 * The catalog hook: every tabular file a resource gets is queued for ingest with it. So is a file
 * named as a table whose bytes the upload could not identify at all (random bytes in
 * `report.csv`): its ingest fails with the reason, stored where the publisher looks for the
 * table, instead of there being no ingest to look at.
 */
export function ingestOnFileStored(jobs: JobQueue, options: IngestOptions = {}): FileStoredHook {
  return async (tx, resource, context) => {
    if (resource.blob_sha256 === null) return;
    const unidentifiedTable =
      resource.media_type === 'application/octet-stream' &&
      tableFileName.test(resource.file_name ?? '');
    // A text file is a table only with a column layout; anything else tabular is sniffed.
    if (!isTabular(resource.media_type) && !unidentifiedTable && options.fixedWidth === undefined)
      return;
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

  /** A new ingest of the resource's file, with `options`, queued in its own transaction. */
  const queueAgain = (
    actor: Actor,
    resource: {
      id: string;
      blob_sha256: string | null;
      file_name: string | null;
      size_bytes: number | null;
    },
    options: IngestOptions,
  ) => {
    const blob = resource.blob_sha256;
    if (blob === null)
      throw new Invalid('resource', 'a link has no file to read; upload the file instead');
    return db
      .transaction()
      .execute((tx) =>
        queueIngest(tx, jobs, { ...resource, blob_sha256: blob }, options, actor.user?.id ?? null),
      );
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

    /**
     * Changes the table's schema: titles and descriptions take effect at once; a new type or
     * constraints read the file again (the previous table serves until that succeeds).
     */
    async editSchema(
      actor: Actor,
      resourceId: string,
      edits: readonly FieldEdit[],
    ): Promise<{ schema: TableSchema; ingest: IngestStatus | null }> {
      const shown = await shownIngest(actor, resourceId);
      const { dataset, resource } = shown;
      await catalog.datasets.checkEditable(actor, dataset.row.id);
      // After a re-run that failed (a pattern, a forced type), the table that serves is the
      // one to edit again, not a dead end until the publisher re-runs by hand.
      const ingest =
        shown.ingest.state === 'failed' && resource.blob_sha256 !== null
          ? ((await q.latestIngestOfFile(db, resourceId, resource.blob_sha256, 'done')) ??
            shown.ingest)
          : shown.ingest;
      if (ingest.state !== 'done' || !ingest.table_schema)
        throw new Conflict(
          ingest.state === 'failed'
            ? 'The file could not be read into a table; fix the file or re-run the ingest first'
            : 'The file is still being read; edit the schema when it has finished',
        );
      const schema = ingest.table_schema as TableSchema;
      const { options, rerun } = applyEdits(ingest.options as IngestOptions, schema, edits);
      if (!rerun) {
        const edited = withPublisherEdits(schema, options);
        await q.updateTableSchema(db, ingest, options, edited);
        return { schema: edited, ingest: null };
      }
      const queued = await queueAgain(actor, resource, options);
      return {
        schema: withPublisherEdits(schema, options),
        ingest: presentStatus(queued, false, now()),
      };
    },

    /** Reads the resource's file again, with a sheet, an encoding or column types forced. */
    async rerun(actor: Actor, resourceId: string, options: IngestOptions): Promise<IngestStatus> {
      const { dataset, resource } = await catalog.resources.find(actor, resourceId);
      await catalog.datasets.checkEditable(actor, dataset.row.id);
      if (options.encoding !== undefined) checkEncoding(options.encoding);
      // The columns the types name: the layout's, the current table's; another sheet's are
      // known only once it is read.
      const types = Object.entries(options.types ?? {});
      const served =
        types.length === 0 ||
        resource.blob_sha256 === null ||
        options.sheet !== undefined ||
        options.fixedWidth
          ? undefined
          : await q.latestIngestOfFile(db, resourceId, resource.blob_sha256, 'done');
      const columns =
        options.fixedWidth?.fields.map((field) => field.name) ??
        (served?.table_schema as TableSchema | null | undefined)?.fields.map((field) => field.name);
      for (const [name, override] of types) {
        if (columns !== undefined && !columns.includes(name))
          throw new Invalid(
            'types',
            `the table has no column "${name}"; its columns are ${columns.map((c) => `"${c}"`).join(', ')}`,
          );
        checkTypeOverride(name, override);
      }
      for (const [name, constraints] of Object.entries(options.constraints ?? {}))
        checkConstraints(name, constraints);
      return presentStatus(await queueAgain(actor, resource, options), false, now());
    },
  };
}

export type DatastoreService = ReturnType<typeof createDatastoreService>;

/** One column's changes in a schema edit. */
export interface FieldEdit {
  name: string;
  title?: { lo?: string; en?: string };
  description?: { lo?: string; en?: string };
  type?: ColumnType;
  format?: string;
  /** Null removes the column's constraints. */
  constraints?: FieldConstraints | null;
}

/** The options of the next ingest after `edits`, and whether the data must be read again. */
function applyEdits(
  options: IngestOptions,
  schema: TableSchema,
  edits: readonly FieldEdit[],
): { options: IngestOptions; rerun: boolean } {
  const known = new Set(schema.fields.map((field) => field.name));
  const next: IngestOptions = {
    ...options,
    types: { ...options.types },
    constraints: { ...options.constraints },
    fields: { ...options.fields },
  };
  let rerun = false;
  for (const edit of edits) {
    if (!known.has(edit.name))
      throw new Invalid('fields', `the table has no column "${edit.name}"`);
    if (edit.title !== undefined || edit.description !== undefined)
      next.fields![edit.name] = {
        ...next.fields![edit.name],
        ...(edit.title !== undefined && { title: edit.title }),
        ...(edit.description !== undefined && { description: edit.description }),
      };
    if (edit.type !== undefined) {
      const override = {
        type: edit.type,
        ...(edit.format !== undefined && { format: edit.format }),
      };
      checkTypeOverride(edit.name, override);
      next.types![edit.name] = override;
      rerun = true;
    }
    if (edit.constraints !== undefined) {
      if (edit.constraints === null) delete next.constraints![edit.name];
      else {
        checkConstraints(edit.name, edit.constraints);
        next.constraints![edit.name] = edit.constraints;
      }
      rerun = true;
    }
  }
  return { options: next, rerun };
}

/** The formats each forced type reads (types/decide.ts); any other fails only in the ingest. */
const formatsOfType: Partial<Record<ColumnType, readonly string[]>> = {
  integer: ['decimal-dot', 'decimal-comma'],
  decimal: ['decimal-dot', 'decimal-comma'],
  date: ['dmy', 'mdy'],
};

function checkTypeOverride(name: string, override: { type: ColumnType; format?: string }): void {
  if (override.format === undefined) return;
  const formats = formatsOfType[override.type] ?? [];
  if (!formats.includes(override.format))
    throw new Invalid(
      'format',
      formats.length === 0
        ? `a ${override.type} column takes no format (column ${name})`
        : `a ${override.type} column is written ${formats.join(' or ')}, not ${override.format} (column ${name})`,
    );
}

/**
 * Patterns are checked by DuckDB's regular expressions (RE2), which have no back-references
 * and no look-around: such a pattern is refused here, not when the file is read again.
 */
const notInRe2 = /\\[1-9]|\\k<|\(\?<?[=!]/;

function checkConstraints(name: string, constraints: FieldConstraints): void {
  if (constraints.pattern !== undefined) {
    try {
      new RegExp(constraints.pattern, 'u');
    } catch {
      throw new Invalid(
        'constraints.pattern',
        `"${constraints.pattern}" (column ${name}) is not a valid pattern`,
      );
    }
    if (notInRe2.test(constraints.pattern)) {
      throw new Invalid(
        'constraints.pattern',
        `"${constraints.pattern}" (column ${name}) uses a back-reference or look-around, which patterns here cannot`,
      );
    }
  }
  const { minimum, maximum } = constraints;
  if (minimum !== undefined && maximum !== undefined && minimum > maximum)
    throw new Invalid('constraints.minimum', `is above the maximum (column ${name})`);
}

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
