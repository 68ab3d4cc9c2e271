import type { Actor, Catalog } from '../catalog/index.js';
import type { ServedTables } from '../datastore/index.js';
import { isNotModified, validatorsOf, type Conditional, type Validators } from './caching.js';
import { createMemoryShare } from './errors.js';
import { streamExport, type ExportAnswer } from './exports.js';
import type { RecordsRequest } from './query-plan.js';
import { answerRecords, type NextPage, type RecordsAnswer } from './records.js';
import type { NormalisedRecords } from './request.js';
import { createGate } from '../lib/gate.js';
import { TooManyRequests } from '../lib/errors.js';
import type { ExportFormat } from './schemas.js';

export interface DataApiOptions {
  servedTables: ServedTables;
  catalog: Catalog;
  /** Where Parquet exports are written before they are sent: a directory of the table store's disk. */
  exportDirectory: string;
  /** Records queries are interrupted after this long (408). Exports run as long as the client reads. */
  queryTimeoutMs?: number;
}

export type Revalidated<T> =
  | { validators: Validators; notModified: true }
  | { validators: Validators; notModified: false; answer: T };

/**
 * Queries and exports of the typed table behind each resource. Who may read a resource is the
 * catalog's decision (through `servedTables`); a hidden resource is not found.
 */
export function createDataApi(options: DataApiOptions) {
  const { servedTables, catalog, exportDirectory } = options;
  const timeoutMs = options.queryTimeoutMs ?? 30_000;
  // DuckDB works on all cores for each query and pins a few blocks per column and thread in its
  // memory limit: a few queries at a time finish sooner than fifty sharing the cores, and do not
  // run out of memory. Exports hold their place while slow clients download, so they have
  // places of their own and never keep pages waiting.
  const busy = () => new TooManyRequests('Too many data queries are waiting; try again shortly', 1);
  const pages = createGate(4, { queueLength: 1_000, refuse: busy });
  const exports = createGate(4, { queueLength: 100, refuse: busy });
  // Pages and exports share DuckDB's memory limit: one that runs out of it beside others is
  // told to come back (503), one that runs out alone is too large (422).
  const memory = createMemoryShare();

  return {
    /** One page of records; `cacheKey` is everything besides the table that shapes the answer. */
    records(
      actor: Actor,
      resourceId: string,
      query: NormalisedRecords,
      http: {
        conditional: Conditional;
        cacheKey: unknown;
        nextLink: (next: NextPage) => string | number;
      },
    ): Promise<Revalidated<RecordsAnswer>> {
      return pages.run(() =>
        memory.run(() =>
          servedTables.read(actor, resourceId, async (table, connection) => {
            const validators = validatorsOf(table, { records: query, key: http.cacheKey });
            if (isNotModified(http.conditional, validators, table.modifiedAt))
              return { validators, notModified: true };
            const answer = await answerRecords(table, connection, query, {
              timeoutMs,
              nextLink: http.nextLink,
            });
            return { validators, notModified: false, answer };
          }),
        ),
      );
    },

    /**
     * Every matching row in one file. `start` receives the headers' facts before any row is read
     * and the stream once the query runs; it resolves when the response has ended.
     */
    async export(
      actor: Actor,
      resourceId: string,
      format: ExportFormat,
      request: RecordsRequest,
      conditional: Conditional,
      start: (
        facts: { validators: Validators; fileName: string },
        answer: ExportAnswer | undefined,
      ) => Promise<void>,
    ): Promise<void> {
      const { resource } = await catalog.resources.find(actor, resourceId);
      const base = exportBaseName(resource);
      await exports.run(() =>
        memory.run(() =>
          servedTables.read(actor, resourceId, async (table, connection) => {
            const validators = validatorsOf(table, { export: format, request });
            const facts = { validators, fileName: `${base}.${format}` };
            if (isNotModified(conditional, validators, table.modifiedAt))
              return start(facts, undefined);
            await streamExport(
              table,
              connection,
              format,
              request,
              { workDirectory: exportDirectory, sheetName: sheetName(base) },
              (answer) => start(facts, answer),
            );
          }),
        ),
      );
    },
  };
}

export type DataApi = ReturnType<typeof createDataApi>;

/** The name of the resource's file without its extension, else its title, else "data". */
function exportBaseName(resource: {
  file_name: string | null;
  title: { lo: string | null; en: string | null };
}): string {
  const fromFile = resource.file_name?.replace(/\.[A-Za-z0-9]{1,10}$/, '').trim();
  const name = fromFile || resource.title.lo?.trim() || resource.title.en?.trim() || 'data';
  return name.replace(/[\p{Cc}/\\]/gu, '_').slice(0, 150);
}

/** Excel refuses sheet names over 31 characters or with []:*?/\ in them. */
function sheetName(base: string): string {
  return (
    Array.from(base.replace(/[[\]:*?/\\]/g, '_'))
      .slice(0, 31)
      .join('') || 'data'
  );
}
