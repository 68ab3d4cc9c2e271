import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import type { DuckDBConnection } from '@duckdb/node-api';
import ExcelJS from 'exceljs';
import { quoteIdentifier, quoteLiteral, type ServedTable } from '../datastore/index.js';
import { Invalid } from '../lib/errors.js';
import { columnsOf, storedInRowOrder } from './columns.js';
import { sendPipedCsv } from './csv-pipe.js';
import { ExportCutShort, queryError } from './errors.js';
import {
  countSql,
  planQuery,
  selectSql,
  type QueryPlan,
  type RecordsRequest,
} from './query-plan.js';
import { csvHeader, csvLineSql, jsonObjectSql, textValueSql } from './render-sql.js';
import type { ExportFormat } from './schemas.js';

export interface ExportAnswer {
  contentType: string;
  /** Known only where DuckDB writes a file first (Parquet). */
  contentLength?: number;
  body: Readable;
}

const contentTypes: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
  geojson: 'application/geo+json; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  parquet: 'application/vnd.apache.parquet',
};

/** The column the GeoJSON reader keeps each feature's geometry in, as GeoJSON text. */
export const geometryColumn = 'geometry';

/**
 * Streams every row of a query in one format, a DuckDB chunk (2,048 rows) at a time, with no row
 * cap and without holding the file in memory. `send` starts the response and resolves when it has
 * ended (or the client went away); the DuckDB connection is held until then.
 */
export async function streamExport(
  table: ServedTable,
  connection: DuckDBConnection,
  format: ExportFormat,
  request: RecordsRequest,
  options: { workDirectory: string; sheetName: string },
  send: (answer: ExportAnswer) => Promise<void>,
): Promise<void> {
  const columns = await columnsOf(table, connection);
  const plan = planQuery(request, columns, {
    storedInRowOrder: await storedInRowOrder(table, connection),
  });
  const from = quoteIdentifier(table.tableName);
  const contentType = contentTypes[format];
  switch (format) {
    case 'csv':
      return sendCsv(connection, plan, from, options.workDirectory, send);
    case 'ndjson':
      return sendStream(send, {
        contentType,
        body: lineStream(connection, plan, from, [jsonObjectSql(plan.outputs)], ndjsonFraming),
      });
    case 'json':
      return sendStream(send, {
        contentType,
        body: lineStream(connection, plan, from, [jsonObjectSql(plan.outputs)], jsonFraming),
      });
    case 'geojson':
      return sendStream(send, {
        contentType,
        body: lineStream(connection, plan, from, [featureSql(plan)], geojsonFraming),
      });
    case 'xlsx': {
      const { body, done } = xlsxStream(connection, plan, from, options.sheetName);
      return sendStream(send, { contentType, body }, done);
    }
    case 'parquet':
      return sendParquet(connection, plan, from, options.workDirectory, send);
  }
}

interface Framing {
  head: string;
  separator: string;
  tail: string;
  /** What ends an answer without rows. */
  emptyTail: string;
}

const ndjsonFraming: Framing = { head: '', separator: '\n', tail: '\n', emptyTail: '' };
const jsonFraming: Framing = { head: '[', separator: ',\n', tail: ']\n', emptyTail: ']\n' };
const geojsonFraming: Framing = {
  head: '{"type":"FeatureCollection","features":[',
  separator: ',\n',
  tail: ']}\n',
  emptyTail: ']}\n',
};

/**
 * Throws unless `sent` is every row of the query. A streamed DuckDB result that fails half-way (an
 * error, an interrupt) ends exactly as one that is done: its last fetch gives no chunk, and the
 * node bindings do not expose the error (duckdb_result_error). So the rows sent are checked
 * against a count before an export writes its last bytes, and a file cut short is never closed
 * as a whole one. The count is the table's own without filters, and a filtered count scans
 * less than the export did. A table never changes in place, so both see the same rows.
 */
async function checkWhole(
  connection: DuckDBConnection,
  plan: QueryPlan,
  from: string,
  sent: number,
): Promise<void> {
  const { sql, params } = countSql(plan, from);
  const reader = await connection.runAndReadAll(sql, params);
  const counted = Number(reader.getRows()[0]?.[0] ?? 0);
  const expected = Math.min(Math.max(counted - plan.offset, 0), plan.limit ?? Infinity);
  if (sent !== expected) throw new ExportCutShort(sent, expected);
}

/** Rows DuckDB has already written as lines of the format, joined chunk by chunk. */
function lineStream(
  connection: DuckDBConnection,
  plan: QueryPlan,
  from: string,
  projection: string[],
  framing: Framing,
): Readable {
  const { sql, params } = selectSql(plan, from, { projection });
  async function* lines() {
    const statement = await connection.prepare(sql);
    try {
      for (const [i, value] of params.entries()) statement.bindVarchar(i + 1, value);
      const result = await statement.stream();
      let text = framing.head;
      let first = true;
      let rows = 0;
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        const values = chunk.getColumnValues(0) as string[];
        text += (first ? '' : framing.separator) + values.join(framing.separator);
        first = false;
        rows += values.length;
        yield text;
        text = '';
      }
      await checkWhole(connection, plan, from, rows);
      yield text + (first ? framing.emptyTail : framing.tail);
    } catch (error) {
      throw queryError(error);
    } finally {
      statement.destroySync();
    }
  }
  return Readable.from(lines(), { objectMode: false });
}

function featureSql(plan: QueryPlan): string {
  const geometry = plan.outputs.find((output) => output.name === geometryColumn);
  if (plan.kind !== 'rows' || !geometry || geometry.type !== 'string')
    throw new Invalid(
      'format',
      plan.kind !== 'rows'
        ? 'GeoJSON exports need rows, not groups'
        : `GeoJSON needs a "${geometryColumn}" text column holding GeoJSON geometries (tables read from GeoJSON files have one); this answer has none`,
    );
  const properties = plan.outputs.filter((output) => output !== geometry);
  const geometrySql = `CASE WHEN json_valid(${geometry.sql}) THEN ${geometry.sql} ELSE 'null' END`;
  const propertiesSql = properties.length > 0 ? jsonObjectSql(properties) : `'{}'`;
  return `'{"type":"Feature","geometry":' || ${geometrySql} || ',"properties":' || ${propertiesSql} || '}'`;
}

/** exceljs's streaming writer, a chunk of rows at a time, waiting when the client reads slowly. */
function xlsxStream(
  connection: DuckDBConnection,
  plan: QueryPlan,
  from: string,
  sheetName: string,
): { body: Readable; done: Promise<void> } {
  // Times and other types exceljs has no cell for are written as their text.
  const projection = plan.outputs.map((output) =>
    output.type === 'time' || output.type === 'any' ? textValueSql(output) : `${output.sql}`,
  );
  const { sql, params } = selectSql(plan, from, { projection });
  const out = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: false,
    useSharedStrings: false,
  });
  const sheet = workbook.addWorksheet(sheetName);
  const done = (async () => {
    const statement = await connection.prepare(sql);
    try {
      for (const [i, value] of params.entries()) statement.bindVarchar(i + 1, value);
      const result = await statement.stream();
      sheet.addRow(plan.outputs.map((output) => output.name)).commit();
      let written = 0;
      for await (const rows of result.yieldRowsJs()) {
        if (out.destroyed) return;
        for (const row of rows) sheet.addRow(row.map(excelValue)).commit();
        written += rows.length;
        if (out.writableNeedDrain)
          await new Promise((resolve) => {
            out.once('drain', resolve);
            out.once('close', resolve);
          });
      }
      await checkWhole(connection, plan, from, written);
      sheet.commit();
      await workbook.commit();
    } catch (error) {
      out.destroy(queryError(error) as Error);
    } finally {
      statement.destroySync();
    }
  })();
  return { body: out, done };
}

/**
 * Sends a stream made from DuckDB results and returns only once its producer has stopped: the
 * connection goes back to the pool after this, and a connection must never run two queries at
 * once (a client that leaves mid-export must not hand it over while a chunk is still fetched).
 */
async function sendStream(
  send: (answer: ExportAnswer) => Promise<void>,
  answer: ExportAnswer,
  producer: Promise<unknown> = Promise.resolve(),
): Promise<void> {
  try {
    await send(answer);
  } finally {
    const { body } = answer;
    if (!body.closed) {
      const closed = new Promise((resolve) => body.once('close', resolve));
      if (!body.readableEnded) body.destroy();
      await closed;
    }
    await producer.catch(() => undefined);
  }
}

function excelValue(value: unknown): unknown {
  if (typeof value === 'bigint')
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}

/** DuckDB writes Parquet only to a file: written under the table store, sent with its length, removed. */
async function sendParquet(
  connection: DuckDBConnection,
  plan: QueryPlan,
  from: string,
  workDirectory: string,
  send: (answer: ExportAnswer) => Promise<void>,
): Promise<void> {
  await mkdir(workDirectory, { recursive: true });
  const path = join(workDirectory, `${randomUUID()}.parquet`);
  try {
    const { sql, params } = selectSql(plan, from);
    const statement = await connection.prepare(
      `COPY (${sql}) TO ${quoteLiteral(path)} (FORMAT parquet, COMPRESSION zstd)`,
    );
    try {
      for (const [i, value] of params.entries()) statement.bindVarchar(i + 1, value);
      await statement.run();
    } catch (error) {
      throw queryError(error);
    } finally {
      statement.destroySync();
    }
    const { size } = await stat(path);
    await send({
      contentType: contentTypes.parquet,
      contentLength: size,
      body: createReadStream(path),
    });
  } finally {
    await rm(path, { force: true });
  }
}

/**
 * CSV is written by DuckDB's own CSV writer into a named pipe that the response reads from: the
 * rows stream as DuckDB writes them (nothing lands on disk), at the speed of `COPY`, about twice
 * what building each line as a JavaScript string allows. DuckDB quotes cells as RFC 4180 wants
 * and prints most types as the API does; see `csvValueSql` for the others.
 *
 * A running COPY holds one of libuv's four pool threads for as long as the client reads (the
 * DuckDB binding waits there), so only `maxPipedExports` run at once in a process; further CSV
 * exports stream DuckDB's chunks as lines, which holds a pool thread only per chunk.
 */
async function sendCsv(
  connection: DuckDBConnection,
  plan: QueryPlan,
  from: string,
  workDirectory: string,
  send: (answer: ExportAnswer) => Promise<void>,
): Promise<void> {
  if (pipedExports >= maxPipedExports)
    return sendStream(send, {
      contentType: contentTypes.csv,
      body: lineStream(connection, plan, from, [csvLineSql(plan.outputs)], csvFraming(plan)),
    });
  pipedExports += 1;
  try {
    await sendPipedCsv(connection, plan, from, workDirectory, (body) =>
      send({ contentType: contentTypes.csv, body }),
    );
  } finally {
    pipedExports -= 1;
  }
}

// Per process, as libuv's thread pool is.
const maxPipedExports = 2;
let pipedExports = 0;

const csvFraming = (plan: QueryPlan): Framing => ({
  head: `${csvHeader(plan.outputs)}\n`,
  separator: '\n',
  tail: '\n',
  emptyTail: '',
});
