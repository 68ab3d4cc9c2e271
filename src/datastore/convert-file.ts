import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { reportConstraintErrors, type FieldConstraints } from './constraints.js';
import { readInThread, spoolInThread } from './read-thread.js';
import { UnreadableSource } from './readers/errors.js';
import { rowColumn, type ReadTask } from './read-rows.js';
import { StepTimer } from './step-timer.js';
import { ReportCollector, type ValidationReport } from './report.js';
import type { FixedWidthLayout, InPlaceDialect } from './source.js';
import {
  tableSchemaFromColumns,
  tableSchemaOf,
  withPublisherEdits,
  type TableSchema,
} from './table-schema.js';
import { parquetColumnSql, quoteIdentifier, quoteLiteral } from './table-store.js';
import {
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
  /** Milliseconds each step took, in order (see StepTimer). */
  steps: Record<string, number>;
}

export { maxTableColumns, rowColumn } from './read-rows.js';

/** Beyond this many columns, DuckDB's steps run on one thread with more memory. */
const wideTableColumns = 300;
const wideTableMemory = '192MiB';

/**
 * Turns one file into a typed zstd Parquet file with its validation report and Table Schema.
 * Rows are read once in JavaScript (sniffing, locating the table, profiling every cell of every
 * column; read-rows.ts, in a thread of its own: read-thread.ts) and spooled as plain CSV unless
 * DuckDB can read the file in place; DuckDB then converts and checks them in bulk, streaming
 * from the spool to the Parquet file. Runs in its own process (see ingest-process.ts).
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
  const timer = new StepTimer();
  const parquetPath = join(work, 'table.parquet');
  const report = new ReportCollector();
  const spoolPath = join(work, 'rows.csv');
  const task: ReadTask = { file, fileName, options, spoolPath };
  const read = await readInThread(task, onProgress);
  report.absorb(read.report);
  if (read.parquet) return convertParquet(file, parquetPath, duck, report, options, timer);
  const { names, decisions, inPlace, rowCount } = read;
  // The column types were decided in the read thread too: `read` includes them.
  timer.lap('read');
  // Each thread holds a chunk of every column: wide tables need one thread and more room.
  if (names.length > wideTableColumns) {
    await duck.run('set threads = 1');
    await duck.run(`set memory_limit = '${wideTableMemory}'`);
  }
  const copy = (rows: string) =>
    duck.runAndReadAll(
      `copy (${typedRowsSql(rows, names, decisions)}) to ${quoteLiteral(parquetPath)} (format parquet, compression zstd)`,
    );
  let rows: string | undefined;
  if (inPlace !== undefined) {
    const direct = rowsInPlace(file, inPlace, read);
    if (await copiedWhole(copy(direct), rowCount)) rows = direct;
    timer.lap('in-place');
  }
  report.decide({
    topic: 'bulk-read',
    value: rows !== undefined ? 'in-place' : 'spooled',
    reason:
      rows !== undefined
        ? 'UTF-8 text with one row per line and no problem in its rows: DuckDB read the file as it is'
        : 'the rows were copied to a plain CSV for DuckDB, as read here',
  });
  if (rows === undefined) {
    let longestLineBytes = read.longestLineBytes;
    if (!read.spooled) {
      // The file is not one DuckDB reads as this reader does: spool its rows after all.
      longestLineBytes = await spoolInThread(task, names.length);
      timer.lap('spool-again');
    }
    // The spooled rows are read straight from the file each time: a copy of them as a table
    // would hold the whole file in DuckDB's memory.
    rows = spooledRows(spoolPath, names.length, longestLineBytes);
    await copy(rows);
    timer.lap('convert');
  }
  if (decisions.some(mayMisfit)) {
    await reportMisfits(duck, rows, names, decisions, report);
    timer.lap('misfits');
  }
  if (options.constraints)
    await reportConstraintErrors(
      duck,
      `read_parquet(${quoteLiteral(parquetPath)})`,
      names,
      options.constraints,
      report,
    );
  timer.lap('constraints');
  return {
    parquetPath,
    rowCount,
    report: report.finish({ rows: rowCount, fields: names.length }),
    tableSchema: withPublisherEdits(tableSchemaOf(names, read.labels, decisions), options),
    steps: timer.steps,
  };
}

/** Parquet keeps its own names and types; only the row numbers are added. */
async function convertParquet(
  file: string,
  parquetPath: string,
  duck: DuckDBConnection,
  report: ReportCollector,
  options: IngestOptions,
  timer: StepTimer,
): Promise<ConvertedFile> {
  const source = `read_parquet(${quoteLiteral(file)})`;
  const described = await duck.runAndReadAll(`describe select * from ${source}`);
  const columns = described
    .getRows()
    .map(([name, type]) => ({ name: String(name), type: String(type) }));
  const rowNamed = columns.find((column) => column.name.toLowerCase() === rowColumn);
  if (rowNamed)
    throw new UnreadableSource(
      `The Parquet file has a column named ${rowNamed.name}, the name of the column of row numbers; rename it.`,
    );
  await duck.run(
    `copy (select row_number() over () as ${rowColumn}, * from ${source}) to ${quoteLiteral(parquetPath)} (format parquet, compression zstd)`,
  );
  const counted = await duck.runAndReadAll(`select count(*) from ${source}`);
  const rowCount = Number(counted.getRows()[0]?.[0] ?? 0);
  timer.lap('convert');
  if (options.constraints)
    await reportConstraintErrors(
      duck,
      `read_parquet(${quoteLiteral(parquetPath)})`,
      columns.map((column) => column.name),
      options.constraints,
      report,
    );
  timer.lap('constraints');
  return {
    parquetPath,
    rowCount,
    report: report.finish({ rows: rowCount, fields: columns.length }),
    tableSchema: withPublisherEdits(tableSchemaFromColumns(columns), options),
    steps: timer.steps,
  };
}

/**
 * The rows of a delimited UTF-8 file as DuckDB reads it in place, as a table expression like
 * the spool's: `_row` first, then every column as text. Asked only when the JavaScript read found
 * one row per line and no problem at all: DuckDB then reads the same cells, in strict mode, and
 * the row numbers follow from the header's line. The copy must then hold every row of the table
 * (copiedWhole), or the file is read the slow way after all.
 */
function rowsInPlace(
  file: string,
  dialect: InPlaceDialect,
  located: { headerRowNumber: number; rowCount: number; rowsBelow: number; names: string[] },
): string {
  const { headerRowNumber: headerLine, rowCount, rowsBelow } = located;
  const columns = located.names.map((_, i) => `'${rawColumn(i)}': 'VARCHAR'`);
  // Buffers of twice the longest line, and at least 4 MiB rather than DuckDB's 16: a big file
  // read with the larger ones cost the ingest process some 30 MiB more, for no measurable speed.
  const maxLine = Math.max(2 * 1024 * 1024, dialect.longestLineBytes + 1024);
  // null_padding: a note below the table, often one field wide (`Source: …`), is refused by
  // strict mode even past the limit below. The table has no short row, or it is not read here.
  const csv = `read_csv(${quoteLiteral(file)},
    header = true, skip = ${headerLine - 1}, delim = ${quoteLiteral(dialect.delimiter)},
    quote = ${quoteLiteral(dialect.quote)}, escape = ${quoteLiteral(dialect.quote)},
    auto_detect = false, strict_mode = true, null_padding = true,
    max_line_size = ${maxLine}, buffer_size = ${2 * maxLine},
    columns = {${columns.join(', ')}})`;
  // row_number() over () streams and numbers the rows in file order (the ingest process's DuckDB
  // runs one thread and keeps the insertion order; checked on 2.9M rows with one thread and with
  // two): numbered as they are read, not in a second copy of the whole table, which took 7–17 s
  // for a 2 GiB CSV and held 25–30 MiB more.
  // A limit leaves out the notes and blank rows below the table, which the JavaScript read set
  // aside: read as rows, they made the counts differ, and the file was read twice more. It cannot
  // hide a row read otherwise: with one row per line and no lone CR, DuckDB makes no two rows of
  // one line, and fewer rows still fail the count. Only when there are such rows: the limit holds
  // a chunk more, and with it a file with a cell of 30 MiB ran out of memory.
  const source = rowsBelow > 0 ? `(select * from ${csv} limit ${rowCount})` : csv;
  return `(select cast(row_number() over () + ${headerLine} as BIGINT) as ${rowColumn}, * from ${source})`;
}

/** Whether a copy wrote `rowCount` rows; false when DuckDB's strict reader refused the file. */
async function copiedWhole(
  copy: Promise<{ getRows(): unknown[][] }>,
  rowCount: number,
): Promise<boolean> {
  try {
    return Number((await copy).getRows()[0]?.[0]) === rowCount;
  } catch {
    // DuckDB's strict reader met something the lenient one let through.
    return false;
  }
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

/** A column with cells that do not fit its type, or one a publisher forced: some may not. */
function mayMisfit(decision: ColumnDecision): boolean {
  return decision.type !== 'text' && (decision.overridden || decision.counts.misfits > 0);
}

/**
 * Reports the cells that do not fit their column's type, with the first few positions. The full
 * scan already counted them (the profile and the SQL conversion accept exactly the same cells),
 * so DuckDB only looks for examples, and counts only where the publisher forced a type that the
 * scan had stopped testing. One pass for every column: a pass each read a file in place once
 * per column (0.4 s a column for 1M rows).
 */
async function reportMisfits(
  c: DuckDBConnection,
  rows: string,
  names: string[],
  decisions: ColumnDecision[],
  report: ReportCollector,
): Promise<void> {
  const checked = decisions.flatMap((decision, i) =>
    mayMisfit(decision) ? [{ decision, i }] : [],
  );
  if (checked.length === 0) return;
  const aggregates = checked.map(({ decision, i }) => {
    const column = quoteIdentifier(rawColumn(i));
    const misfit = sqlMisfitCondition(column, decision);
    const first = `min_by(struct_pack(r := ${rowColumn}, v := ${column}), ${rowColumn}, ${examplesPerColumn})`;
    const count = decision.overridden ? `count(*) filter (where ${misfit})` : 'null';
    return `${first} filter (where ${misfit}), ${count}`;
  });
  const found = (await c.runAndReadAll(`select ${aggregates.join(', ')} from ${rows}`)).getRowsJS();
  const answers = found[0] ?? [];
  for (const [k, { decision, i }] of checked.entries()) {
    const examples = ((answers[2 * k] ?? []) as Array<{ r: bigint; v: string }>).sort((a, b) =>
      a.r < b.r ? -1 : 1,
    );
    const total = decision.overridden ? Number(answers[2 * k + 1] ?? 0) : decision.counts.misfits;
    if (total === 0) continue;
    for (const { r, v } of examples) {
      report.error({
        code: 'type-error',
        rowNumber: Number(r),
        fieldNumber: i + 1,
        fieldName: names[i],
        cell: v,
        message: `"${v}" is not a valid ${decision.type} in column "${names[i]}"`,
      });
    }
    report.count('type-error', total - examples.length);
  }
}

function typedRowsSql(rows: string, names: string[], decisions: ColumnDecision[]): string {
  const columns = names.map((name, i) => {
    const type = sqlType(decisions[i]!);
    const typed = `cast(${sqlConversion(quoteIdentifier(rawColumn(i)), decisions[i]!)} as ${type})`;
    return `${parquetColumnSql(typed, type)} as ${quoteIdentifier(name)}`;
  });
  return `select ${rowColumn}, ${columns.join(', ')} from ${rows}`;
}
