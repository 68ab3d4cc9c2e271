import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { reportConstraintErrors, type FieldConstraints } from './constraints.js';
import { openReader } from './open-reader.js';
import { UnreadableSource } from './readers/index.js';
import { RawSpool } from './raw-spool.js';
import { ReportCollector, type ValidationReport } from './report.js';
import { locateTable } from './sniff/index.js';
import type { FixedWidthLayout } from './source.js';
import {
  tableSchemaFromColumns,
  tableSchemaOf,
  withPublisherEdits,
  type TableSchema,
} from './table-schema.js';
import { quoteIdentifier, quoteLiteral } from './table-store.js';
import {
  ColumnProfiler,
  decideColumn,
  sqlConversion,
  sqlMisfitCondition,
  sqlType,
  type ColumnDecision,
  type TypeOverride,
} from './types/index.js';

/** What a publisher may ask of an ingest; everything else is sniffed. */
export interface IngestOptions {
  sheet?: number | string;
  encoding?: string;
  fixedWidth?: FixedWidthLayout;
  /** Column name → forced type. */
  types?: Record<string, TypeOverride>;
  /** Column name → what its values must satisfy; breaches are reported, not removed. */
  constraints?: Record<string, FieldConstraints>;
  /** Column name → the publisher's titles and descriptions, kept across re-runs. */
  fields?: Record<string, FieldText>;
}

export interface FieldText {
  title?: { lo?: string; en?: string };
  description?: { lo?: string; en?: string };
}

export interface IngestProgress {
  rows: number;
  bytes: number;
}

export interface ConvertedFile {
  /** A zstd Parquet file: `_row` (the source row number) first, then the typed columns. */
  parquetPath: string;
  rowCount: number;
  report: ValidationReport;
  tableSchema: TableSchema;
}

/** The column every table starts with: the row's number in the source file. */
export const rowColumn = '_row';

const spreadsheetFormats = new Set(['xlsx', 'xls', 'ods']);

/**
 * DuckDB works on 2,048 rows of every column at once, so each column costs it tens of KiB per
 * thread before a single row is stored: beyond this width a table no longer fits the memory an
 * ingest may use, and a table that wide is no table people query.
 */
export const maxTableColumns = 1000;
const wideTableColumns = 300;
const wideTableMemory = '192MiB';

/**
 * Turns one file into a typed zstd Parquet file with its validation report and Table Schema.
 * Rows are read once in JavaScript (sniffing, locating the table, profiling every cell of every
 * column) and spooled as plain CSV; DuckDB then converts and checks them in bulk, streaming from
 * the spool to the Parquet file. Runs in its own process (see ingest-process.ts).
 */
export async function convertFile(
  file: string,
  fileName: string | null,
  options: IngestOptions,
  work: string,
  duck: DuckDBConnection,
  onProgress: (progress: IngestProgress) => void,
): Promise<ConvertedFile> {
  await mkdir(work, { recursive: true });
  const parquetPath = join(work, 'table.parquet');
  const report = new ReportCollector();
  const source = await openReader(file, fileName, options, report);
  if (source === 'parquet') return convertParquet(file, parquetPath, duck, report, options);
  const table = await locateTable(source.rows(report), report, {
    shortRowsAreErrors: !spreadsheetFormats.has(source.format),
  });
  const names = table.names.map((name) => (name === rowColumn ? `${name}_2` : name));
  if (names.length === 0)
    throw new UnreadableSource('No table was found in the file: it has no columns.');
  if (names.length > maxTableColumns)
    throw new UnreadableSource(
      `The table has ${names.length} columns; tables of up to ${maxTableColumns} columns can be read into the data API. The file itself stays available for download.`,
    );
  // Each thread holds a chunk of every column: wide tables need one thread and more room.
  if (names.length > wideTableColumns) {
    await duck.run('set threads = 1');
    await duck.run(`set memory_limit = '${wideTableMemory}'`);
  }
  const profilers = names.map(() => new ColumnProfiler());
  const spoolPath = join(work, 'rows.csv');
  const spool = new RawSpool(spoolPath, names.length);
  try {
    for await (const batch of table.rows) {
      for (const row of batch) {
        const cells = row.cells;
        for (let i = 0; i < profilers.length; i += 1) profilers[i]?.observe(cells[i] ?? '');
      }
      await spool.write(batch);
      onProgress({ rows: spool.rows, bytes: source.bytesRead?.() ?? 0 });
    }
    await spool.close();
  } catch (error) {
    spool.destroy();
    throw error;
  }
  const decisions = names.map((name, i) => {
    const decision = decideColumn(profilers[i]!, name, options.types?.[name]);
    report.decide({
      topic: 'column-type',
      fieldName: name,
      value: decision.type,
      reason: decision.reason,
    });
    return decision;
  });
  // The spooled rows are read straight from the file each time: a copy of them as a table
  // would hold the whole file in DuckDB's memory.
  const rows = spooledRows(spoolPath, names.length, spool.longestLineBytes);
  await reportMisfits(duck, rows, names, decisions, report);
  await duck.run(
    `copy (${typedRowsSql(rows, names, decisions)}) to ${quoteLiteral(parquetPath)} (format parquet, compression zstd)`,
  );
  if (options.constraints)
    await reportConstraintErrors(
      duck,
      `read_parquet(${quoteLiteral(parquetPath)})`,
      names,
      options.constraints,
      report,
    );
  return {
    parquetPath,
    rowCount: spool.rows,
    report: report.finish({ rows: spool.rows, fields: names.length }),
    tableSchema: withPublisherEdits(tableSchemaOf(names, table.labels, decisions), options),
  };
}

/** Parquet keeps its own names and types; only the row numbers are added. */
async function convertParquet(
  file: string,
  parquetPath: string,
  duck: DuckDBConnection,
  report: ReportCollector,
  options: IngestOptions,
): Promise<ConvertedFile> {
  const source = `read_parquet(${quoteLiteral(file)})`;
  const described = await duck.runAndReadAll(`describe select * from ${source}`);
  const columns = described
    .getRows()
    .map(([name, type]) => ({ name: String(name), type: String(type) }));
  if (columns.some((column) => column.name === rowColumn))
    throw new UnreadableSource(`The Parquet file has a column named ${rowColumn}; rename it.`);
  await duck.run(
    `copy (select row_number() over () as ${rowColumn}, * from ${source}) to ${quoteLiteral(parquetPath)} (format parquet, compression zstd)`,
  );
  const counted = await duck.runAndReadAll(`select count(*) from ${source}`);
  const rowCount = Number(counted.getRows()[0]?.[0] ?? 0);
  if (options.constraints)
    await reportConstraintErrors(
      duck,
      `read_parquet(${quoteLiteral(parquetPath)})`,
      columns.map((column) => column.name),
      options.constraints,
      report,
    );
  return {
    parquetPath,
    rowCount,
    report: report.finish({ rows: rowCount, fields: columns.length }),
    tableSchema: withPublisherEdits(tableSchemaFromColumns(columns), options),
  };
}

function rawColumn(index: number): string {
  return `c${index}`;
}

/** The spool as a DuckDB table expression: every column text, the row number first. */
function spooledRows(spoolPath: string, width: number, longestLineBytes: number): string {
  // DuckDB sizes its read buffers from max_line_size (16 times it by default): fit both to the
  // file, or a generous limit would cost a gigabyte of memory for a small table.
  const maxLine = Math.max(2 * 1024 * 1024, longestLineBytes + 1024);
  const buffer = Math.max(16 * 1024 * 1024, 2 * maxLine);
  const columns = [`'${rowColumn}': 'BIGINT'`];
  for (let i = 0; i < width; i += 1) columns.push(`'${rawColumn(i)}': 'VARCHAR'`);
  return `read_csv(${quoteLiteral(spoolPath)},
    header = false, delim = ',', quote = '"', escape = '"', new_line = '\\n',
    auto_detect = false, strict_mode = true, max_line_size = ${maxLine}, buffer_size = ${buffer},
    columns = {${columns.join(', ')}})`;
}

const examplesPerColumn = 20;

/**
 * Reports the cells that do not fit their column's type, with the first few positions. The full
 * scan already counted them (the profile and the SQL conversion accept exactly the same cells),
 * so DuckDB only looks for examples, and counts only where the publisher forced a type that the
 * scan had stopped testing.
 */
async function reportMisfits(
  c: DuckDBConnection,
  rows: string,
  names: string[],
  decisions: ColumnDecision[],
  report: ReportCollector,
): Promise<void> {
  for (const [i, decision] of decisions.entries()) {
    if (decision.type === 'text' || (!decision.overridden && decision.counts.misfits === 0))
      continue;
    const column = quoteIdentifier(rawColumn(i));
    const misfit = sqlMisfitCondition(column, decision);
    let total = decision.counts.misfits;
    if (decision.overridden) {
      const counted = await c.runAndReadAll(`select count(*) from ${rows} where ${misfit}`);
      total = Number(counted.getRows()[0]?.[0] ?? 0);
    }
    if (total === 0) continue;
    const examples = await c.runAndReadAll(
      `select ${rowColumn}, ${column} from ${rows}
       where ${misfit} order by ${rowColumn} limit ${examplesPerColumn}`,
    );
    const found = examples.getRows();
    for (const [rowNumber, value] of found) {
      report.error({
        code: 'type-error',
        rowNumber: Number(rowNumber),
        fieldNumber: i + 1,
        fieldName: names[i],
        cell: String(value),
        message: `"${String(value)}" is not a valid ${decision.type} in column "${names[i]}"`,
      });
    }
    report.count('type-error', total - found.length);
  }
}

function typedRowsSql(rows: string, names: string[], decisions: ColumnDecision[]): string {
  const columns = names.map(
    (name, i) =>
      `cast(${sqlConversion(quoteIdentifier(rawColumn(i)), decisions[i]!)} as ${sqlType(decisions[i]!)}) as ${quoteIdentifier(name)}`,
  );
  return `select ${rowColumn}, ${columns.join(', ')} from ${rows}`;
}
