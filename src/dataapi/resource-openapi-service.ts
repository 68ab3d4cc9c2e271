import type { DuckDBConnection } from '@duckdb/node-api';
import type { Actor, Catalog } from '../catalog/index.js';
import { quoteIdentifier, type ServedTable, type ServedTables } from '../datastore/index.js';
import { shortened } from '../lib/text.js';
import { columnsOf, type Column } from './columns.js';
import { answerRecords } from './records.js';
import { codeSamples, type CodeSample } from './resource-openapi-snippets.js';
import { reservedParameters } from './request.js';
import { resourceOpenApi, type RecordsExample } from './resource-openapi.js';
import { recordsFromQuery } from './request.js';
import { nextUrl } from './routes.js';
import type { RecordsQuery } from './schemas.js';

/** Longest text an example shows of a cell; longer ones end in `…`. */
const exampleTextLength = 200;

/** What the examples of a table are made of; a table never changes, so they are kept per version. */
interface TableExamples {
  examples: RecordsExample[];
  sampleValues: Map<string, string>;
  /** The text column whose values repeat most: what a grouped example and the SQL sample use. */
  groupColumn: string | undefined;
}

const examplesKept = 500;

/**
 * The per-resource documentation: its OpenAPI document and code samples. Examples are real
 * answers of the records endpoint, computed by the same code (`answerRecords`) on the table's
 * first rows, so they are exactly what a client replaying their `x-query` receives.
 */
export function createResourceDocs(deps: {
  catalog: Catalog;
  servedTables: ServedTables;
  publicUrl: string;
  /** Time limit of each example query. */
  timeoutMs?: number;
}) {
  const { catalog, servedTables, publicUrl } = deps;
  const timeoutMs = deps.timeoutMs ?? 10_000;
  const kept = new Map<string, TableExamples>();

  const run = async (
    table: ServedTable,
    connection: DuckDBConnection,
    query: Record<string, string>,
  ): Promise<unknown> => {
    const url = `/api/v1/resources/${table.resourceId}/records?${new URLSearchParams(query).toString()}`;
    // Read as the route reads it, after the schema has turned `limit` into a number.
    const request = recordsFromQuery({ ...query, limit: Number(query.limit) } as RecordsQuery);
    const answer = await answerRecords(table, connection, request, {
      timeoutMs,
      nextLink: (next) => nextUrl(publicUrl, url, next),
    });
    const parsed = JSON.parse(answer.body) as { items?: Array<Record<string, unknown>> };
    // A cell of megabytes would make a document of megabytes: examples show the start of it.
    for (const item of parsed.items ?? [])
      for (const [name, value] of Object.entries(item))
        if (typeof value === 'string') item[name] = shortened(value, exampleTextLength);
    return parsed;
  };

  const examplesOf = async (
    table: ServedTable,
    connection: DuckDBConnection,
    columns: Column[],
  ): Promise<TableExamples> => {
    const known = kept.get(table.version);
    if (known) return known;
    const first = { limit: '3' };
    const firstAnswer = (await run(table, connection, first)) as {
      items: Array<Record<string, unknown>>;
    };
    const sampleValues = new Map<string, string>();
    for (const [name, value] of Object.entries(firstAnswer.items[0] ?? {})) {
      // A filter example needs a value short enough to read in a URL.
      if (value !== null && typeof value !== 'object' && String(value).length <= 100)
        sampleValues.set(name, String(value));
    }
    const examples: RecordsExample[] = [
      {
        name: 'firstRows',
        summary: 'The first 3 rows / 3 ແຖວທຳອິດ',
        query: first,
        answer: firstAnswer,
      },
    ];
    const usable = columns.filter(
      (column) => !reservedParameters.has(column.name) && !column.name.includes(','),
    );
    const filterColumn =
      usable.find((column) => column.type === 'string' && sampleValues.has(column.name)) ??
      usable.find((column) => column.type !== 'any' && sampleValues.has(column.name));
    if (filterColumn) {
      const query = {
        [filterColumn.name]: `eq:${sampleValues.get(filterColumn.name)!}`,
        limit: '3',
      };
      examples.push({
        name: 'filtered',
        summary: `Rows where ${filterColumn.name} is ${sampleValues.get(filterColumn.name)!} / ກັ່ນຕອງ`,
        query,
        answer: await run(table, connection, query),
      });
    }
    const groupColumn = await groupingColumn(
      connection,
      table.tableName,
      usable.filter((column) => column.type === 'string'),
    );
    const sumColumn = usable.find(
      (column) => column.type === 'integer' || column.type === 'number',
    );
    if (groupColumn && sumColumn) {
      const query = {
        group_by: groupColumn.name,
        agg: `count,sum:${sumColumn.name}`,
        order: '-count',
        limit: '3',
      };
      examples.push({
        name: 'grouped',
        summary: `Rows and total ${sumColumn.name} per ${groupColumn.name} / ລວມຕາມກຸ່ມ`,
        query,
        answer: await run(table, connection, query),
      });
    }
    const made = { examples, sampleValues, groupColumn: groupColumn?.name };
    if (kept.size >= examplesKept) kept.delete(kept.keys().next().value!);
    kept.set(table.version, made);
    return made;
  };

  const gather = async (actor: Actor, resourceId: string) => {
    const { dataset, resource } = await catalog.resources.find(actor, resourceId);
    return servedTables.read(actor, resourceId, async (table, connection) => {
      const columns = await columnsOf(table, connection);
      const { examples, sampleValues, groupColumn } = await examplesOf(table, connection, columns);
      const sampleQuery = (examples[1] ?? examples[0]!).query;
      const sql = groupColumn
        ? `select ${quoteIdentifier(groupColumn)}, count(*) as n from "${resourceId}" group by all order by n desc limit 10`
        : `select * from "${resourceId}" limit 10`;
      const samples = codeSamples({ publicUrl, resourceId, query: sampleQuery, sql });
      return {
        table,
        columns,
        examples,
        sampleValues,
        samples,
        sql,
        datasetTitle: dataset.revision.metadata.title,
        resourceTitle: resource.title,
      };
    });
  };

  return {
    /** The OpenAPI 3.1 document of a resource the caller may read. */
    async document(actor: Actor, resourceId: string): Promise<Record<string, unknown>> {
      const facts = await gather(actor, resourceId);
      return resourceOpenApi({
        publicUrl,
        resourceId,
        version: facts.table.version,
        datasetTitle: facts.datasetTitle,
        resourceTitle: facts.resourceTitle,
        columns: facts.columns,
        examples: facts.examples,
        sampleValues: facts.sampleValues,
        samples: facts.samples,
        sql: facts.sql,
      });
    },

    /** The code samples alone, as the documentation shows them. */
    async snippets(actor: Actor, resourceId: string): Promise<CodeSample[]> {
      return (await gather(actor, resourceId)).samples;
    },
  };
}

export type ResourceDocs = ReturnType<typeof createResourceDocs>;

/**
 * Of `candidates`, the column with the fewest distinct values (at least two) among the table's
 * first 10,000 rows: grouping by it shows what grouping is for, where grouping by a name or a
 * code would give one row per row.
 */
async function groupingColumn(
  connection: DuckDBConnection,
  tableName: string,
  candidates: readonly Column[],
): Promise<Column | undefined> {
  if (candidates.length === 0) return undefined;
  const counts = candidates
    .slice(0, 50)
    .map((column) => `approx_count_distinct(${quoteIdentifier(column.name)})`);
  const reader = await connection.runAndReadAll(
    `select ${counts.join(', ')} from (select * from ${quoteIdentifier(tableName)} limit 10000)`,
  );
  const row = reader.getRows()[0] ?? [];
  let best: { column: Column; distinct: number } | undefined;
  candidates.slice(0, 50).forEach((column, i) => {
    const distinct = Number(row[i] ?? 0);
    if (distinct >= 2 && (!best || distinct < best.distinct)) best = { column, distinct };
  });
  return best?.column ?? candidates[0];
}
