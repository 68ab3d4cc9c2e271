import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { BlobStore } from '../files/index.js';
import { openReader } from './open-reader.js';
import { UnreadableSource } from './readers/index.js';
import { RawSpool } from './raw-spool.js';
import { ReportCollector, type ValidationReport } from './report.js';
import { locateTable } from './sniff/index.js';
import type { FixedWidthLayout } from './source.js';
import { quoteIdentifier, quoteLiteral, type TableStore } from './table-store.js';
import { tableSchemaFromColumns, tableSchemaOf, type TableSchema } from './table-schema.js';
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
}

export interface IngestInput {
  id: string;
  blobSha256: string;
  fileName: string | null;
  options: IngestOptions;
}

export interface IngestProgress {
  rows: number;
  bytes: number;
}

export interface IngestResult {
  tableName: string;
  parquetSha256: string;
  rowCount: number;
  bytes: number;
  report: ValidationReport;
  tableSchema: TableSchema;
}

/**
 * Turns one file into a typed DuckDB table and a Parquet copy in the blob store. Rows are read
 * once in JavaScript (sniffing, locating the table, profiling every cell of every column) and
 * spooled as plain CSV; DuckDB then loads, converts and checks them in bulk. Nothing is served
 * from here: the caller swaps the table in only when this returns.
 */
export async function ingestFile(
  input: IngestInput,
  deps: { blobs: BlobStore; tables: TableStore; workDir: string },
  onProgress: (progress: IngestProgress) => void,
): Promise<IngestResult> {
  const work = join(deps.workDir, `ingest-${input.id}`);
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const tableName = `t_${input.id.replaceAll('-', '')}`;
  try {
    const file = await localCopy(deps.blobs, input.blobSha256, work);
    const report = new ReportCollector();
    const source = await openReader(file.path, input.fileName, input.options, report);
    if (source === 'parquet') return await ingestParquet(file, tableName, work, deps, report);
    const table = await locateTable(source.rows(report), report, {
      shortRowsAreErrors: !spreadsheetFormats.has(source.format),
    });
    const names = table.names.map((name) => (name === rowColumn ? `${name}_2` : name));
    if (names.length === 0)
      throw new UnreadableSource('No table was found in the file: it has no columns.');
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
      const decision = decideColumn(profilers[i]!, name, input.options.types?.[name]);
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
    await deps.tables.withConnection(async (c) => {
      await reportMisfits(c, rows, names, decisions, report);
      await c.run(typedTableSql(tableName, rows, names, decisions));
    });
    return {
      tableName,
      parquetSha256: await exportParquet(deps, tableName, work),
      rowCount: spool.rows,
      bytes: file.size,
      report: report.finish({ rows: spool.rows, fields: names.length }),
      tableSchema: tableSchemaOf(names, table.labels, decisions),
    };
  } catch (error) {
    await deps.tables.dropTable(tableName).catch(() => undefined);
    throw error;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

const spreadsheetFormats = new Set(['xlsx', 'xls', 'ods']);

/** The column every table starts with: the row's number in the source file. */
const rowColumn = '_row';

/** Parquet keeps its own names and types: DuckDB reads it as it is. */
async function ingestParquet(
  file: { path: string; size: number },
  tableName: string,
  work: string,
  deps: { blobs: BlobStore; tables: TableStore },
  report: ReportCollector,
): Promise<IngestResult> {
  const columns = await deps.tables.withConnection(async (c) => {
    await c.run(
      `create or replace table ${quoteIdentifier(tableName)} as
       select row_number() over () as ${rowColumn}, * from read_parquet(${quoteLiteral(file.path)})`,
    );
    const described = await c.runAndReadAll(`describe ${quoteIdentifier(tableName)}`);
    return described
      .getRows()
      .map(([name, type]) => ({ name: String(name), type: String(type) }))
      .filter((column) => column.name !== rowColumn);
  });
  const rowCount = await deps.tables.withConnection(async (c) => {
    const counted = await c.runAndReadAll(`select count(*) from ${quoteIdentifier(tableName)}`);
    return Number(counted.getRows()[0]?.[0] ?? 0);
  });
  return {
    tableName,
    parquetSha256: await exportParquet(deps, tableName, work),
    rowCount,
    bytes: file.size,
    report: report.finish({ rows: rowCount, fields: columns.length }),
    tableSchema: tableSchemaFromColumns(columns),
  };
}

/** Writes the table as zstd Parquet into the blob store, for nodes that load it from there. */
async function exportParquet(
  deps: { blobs: BlobStore; tables: TableStore },
  tableName: string,
  work: string,
): Promise<string> {
  const path = join(work, 'table.parquet');
  await deps.tables.withConnection((c) =>
    c.run(
      `copy ${quoteIdentifier(tableName)} to ${quoteLiteral(path)} (format parquet, compression zstd)`,
    ),
  );
  const stored = await deps.blobs.put(createReadStream(path), {
    maxBytes: Number.MAX_SAFE_INTEGER,
  });
  return stored.sha256;
}

/** The blob as a file on this machine: in place for the local store, copied from S3. */
async function localCopy(
  blobs: BlobStore,
  sha256: string,
  work: string,
): Promise<{ path: string; size: number }> {
  const stat = await blobs.stat(sha256);
  if (!stat) throw new Error(`the file ${sha256} is missing from the blob store`);
  if (blobs.localPath) return { path: blobs.localPath(sha256), size: stat.size };
  const path = join(work, 'source');
  await pipeline(await blobs.open(sha256), createWriteStream(path));
  return { path, size: stat.size };
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
  c: Parameters<Parameters<TableStore['withConnection']>[0]>[0],
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

function typedTableSql(
  tableName: string,
  rows: string,
  names: string[],
  decisions: ColumnDecision[],
): string {
  const columns = names.map(
    (name, i) =>
      `cast(${sqlConversion(quoteIdentifier(rawColumn(i)), decisions[i]!)} as ${sqlType(decisions[i]!)}) as ${quoteIdentifier(name)}`,
  );
  return `create or replace table ${quoteIdentifier(tableName)} as
    select ${rowColumn}, ${columns.join(', ')} from ${rows}`;
}
