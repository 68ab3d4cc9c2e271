import type { DuckDBConnection, DuckDBPreparedStatement, DuckDBValue } from '@duckdb/node-api';
import type { ServedTable } from '../datastore/index.js';
import { quoteIdentifier } from '../datastore/index.js';
import { columnsOf, storedInRowOrder, type Column } from './columns.js';
import { encodeCursor } from './cursor.js';
import { withDeadline } from './errors.js';
import { countSql, pageSql, planQuery, type Output, type QueryPlan } from './query-plan.js';
import { csvHeader, csvLineSql, jsonObjectSql, textValueSql } from './render-sql.js';
import type { NormalisedRecords } from './request.js';
import { xmlCell, xmlText } from './xml.js';

/** Where the next page starts: a cursor for row pages, an offset for grouped ones. */
export type NextPage = { cursor: string } | { offset: number };

export interface RecordsAnswer {
  contentType: string;
  body: string;
}

/**
 * Runs one page of records and writes it in the asked format. Each format's cells are made by
 * DuckDB (render-sql.ts); the page has one row more than asked, to know whether a next page exists.
 */
export async function answerRecords(
  table: ServedTable,
  connection: DuckDBConnection,
  query: NormalisedRecords,
  options: { timeoutMs: number; nextLink: (next: NextPage) => string | number },
): Promise<RecordsAnswer> {
  const columns = await columnsOf(table, connection);
  const plan = planQuery(query.request, columns, {
    storedInRowOrder: await storedInRowOrder(table, connection),
  });
  const from = quoteIdentifier(table.tableName);
  return withDeadline(connection, options.timeoutMs, async () => {
    const total = query.request.total ? await countRows(connection, plan, from) : undefined;
    const width = query.format === 'xml' ? plan.outputs.length : 1;
    const { sql, params } = pageSql(plan, from, (outputs) => projectionFor(query.format, outputs), {
      extraRow: true,
    });
    // `limit=0` asks for the fields (and the total) alone: no row is read.
    const rows = plan.limit === 0 ? [] : await run(connection, sql, params);
    const limit = plan.limit ?? rows.length;
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    let next: string | number | undefined;
    if (more && limit > 0) next = options.nextLink(nextPage(plan, page.at(-1)!, width));
    switch (query.format) {
      case 'csv':
        return {
          contentType: 'text/csv; charset=utf-8',
          body:
            [csvHeader(plan.outputs), ...page.map((row) => String(row[0]))].join('\r\n') + '\r\n',
        };
      case 'xml':
        return {
          contentType: 'application/xml; charset=utf-8',
          body: xmlAnswer(plan, page, query, total, next),
        };
      default:
        return {
          contentType: 'application/json; charset=utf-8',
          body: jsonAnswer(plan, columns, page, total, next),
        };
    }
  });
}

function projectionFor(format: NormalisedRecords['format'], outputs: Output[]): string[] {
  if (format === 'csv') return [csvLineSql(outputs)];
  if (format === 'xml') return outputs.map((output) => textValueSql(output));
  return [jsonObjectSql(outputs)];
}

function nextPage(plan: QueryPlan, lastRow: unknown[], keysFrom: number): NextPage {
  if (!plan.keyset) return { offset: plan.offset + (plan.limit ?? 0) };
  const keys = lastRow.slice(keysFrom).map((value) => (value === null ? null : String(value)));
  return { cursor: encodeCursor({ order: plan.keyset.order, keys }) };
}

async function countRows(
  connection: DuckDBConnection,
  plan: QueryPlan,
  from: string,
): Promise<number> {
  const { sql, params } = countSql(plan, from);
  const rows = await run(connection, sql, params);
  return Number(rows[0]?.[0] ?? 0);
}

/**
 * Every user value is bound; the SQL text holds only quoted schema names. Statements are kept
 * per connection and reused: a page query's text depends only on the table and the query's shape
 * (values are bound), and planning it again costs about as much as running it on a small page.
 *
 * The result is materialized by DuckDB (a page, a count), so its chunks are read where they lie,
 * without waiting: `runAndReadAll` fetched each chunk through libuv's thread pool, and the empty
 * one that ends the result too, two more trips between threads per page.
 */
async function run(
  connection: DuckDBConnection,
  sql: string,
  params: string[],
): Promise<DuckDBValue[][]> {
  const statement = await preparedStatement(connection, sql);
  try {
    statement.clearBindings();
    for (const [i, value] of params.entries()) statement.bindVarchar(i + 1, value);
    const result = await statement.run();
    const rows: DuckDBValue[][] = [];
    for (let i = 0, chunks = result.chunkCount; i < chunks; i += 1)
      result.getChunk(i).appendToRows(rows);
    return rows;
  } catch (error) {
    forgetStatement(connection, sql);
    throw error;
  }
}

// A connection serves one request at a time (TableStore's pool), so its statements are never
// bound and run by two requests at once. Least recently used first.
const statementsByConnection = new WeakMap<
  DuckDBConnection,
  Map<string, DuckDBPreparedStatement>
>();
const statementsPerConnection = 64;

async function preparedStatement(connection: DuckDBConnection, sql: string) {
  let statements = statementsByConnection.get(connection);
  if (!statements) {
    statements = new Map();
    statementsByConnection.set(connection, statements);
  }
  let statement = statements.get(sql);
  if (statement) {
    statements.delete(sql);
  } else {
    statement = await connection.prepare(sql);
    if (statements.size >= statementsPerConnection) {
      const [oldest] = statements.keys();
      forgetStatement(connection, oldest!);
    }
  }
  statements.set(sql, statement);
  return statement;
}

function forgetStatement(connection: DuckDBConnection, sql: string) {
  const statements = statementsByConnection.get(connection);
  statements?.get(sql)?.destroySync();
  statements?.delete(sql);
}

/** The answer's columns as Table Schema fields; aggregates have no title. */
export function fieldsOf(outputs: readonly Output[], columns: readonly Column[]) {
  const titles = new Map(columns.map((column) => [column.name, column.title]));
  return outputs.map((output) => {
    const title = output.duckType === undefined ? undefined : titles.get(output.name);
    return { name: output.name, type: output.type, ...(title && { title }) };
  });
}

function jsonAnswer(
  plan: QueryPlan,
  columns: readonly Column[],
  page: unknown[][],
  total: number | undefined,
  next: string | number | undefined,
): string {
  let body = `{"fields":${JSON.stringify(fieldsOf(plan.outputs, columns))},"items":[${page.map((row) => String(row[0])).join(',')}]`;
  if (total !== undefined) body += `,"total":${total}`;
  if (typeof next === 'string') body += `,"next":${JSON.stringify(next)}`;
  if (typeof next === 'number') body += `,"next_offset":${next}`;
  return `${body}}`;
}

/** DATA.GO.KR's envelope: a header with the result code, a body with items and paging. */
function xmlAnswer(
  plan: QueryPlan,
  page: unknown[][],
  query: NormalisedRecords,
  total: number | undefined,
  next: string | number | undefined,
): string {
  const items = page
    .map((row) => {
      const cells = plan.outputs.map((output, i) =>
        xmlCell(output.name, row[i] === null ? null : String(row[i])),
      );
      return `<item>${cells.join('')}</item>`;
    })
    .join('');
  const numOfRows = query.page?.numOfRows ?? plan.limit ?? page.length;
  const pageNo =
    query.page?.pageNo ?? (numOfRows > 0 ? Math.floor(plan.offset / numOfRows) + 1 : 1);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<response><header><resultCode>00</resultCode><resultMsg>NORMAL SERVICE.</resultMsg></header>',
    `<body><items>${items}</items><numOfRows>${numOfRows}</numOfRows><pageNo>${pageNo}</pageNo>`,
    total !== undefined ? `<totalCount>${total}</totalCount>` : '',
    next !== undefined ? `<next>${xmlText(String(next))}</next>` : '',
    '</body></response>',
  ].join('');
}
