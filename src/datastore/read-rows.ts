import type { IngestOptions, IngestProgress } from './convert-file.js';
import { ownValue } from '../lib/own-keys.js';
import { openReader } from './open-reader.js';
import { UnreadableSource } from './readers/errors.js';
import { RawSpool } from './raw-spool.js';
import { ReportCollector, type ValidationReport } from './report.js';
import { locateTable } from './sniff/index.js';
import type { InPlaceDialect } from './source.js';
import { ColumnProfiler, decideColumn, type ColumnDecision } from './types/index.js';

/** The column every table starts with: the row's number in the source file. */
export const rowColumn = '_row';

/**
 * DuckDB works on 2,048 rows of every column at once, so each column costs it tens of KiB per
 * thread before a single row is stored: beyond this width a table no longer fits the memory an
 * ingest may use, and a table that wide is no table people query.
 */
export const maxTableColumns = 1000;

const spreadsheetFormats = new Set(['xlsx', 'xls', 'ods']);

/** A file to read in JavaScript; plain data, as it crosses to the read thread (read-thread.ts). */
export interface ReadTask {
  file: string;
  fileName: string | null;
  options: IngestOptions;
  /** Where the rows go as plain CSV when DuckDB cannot read the file itself. */
  spoolPath: string;
}

/** What the JavaScript read learnt: all plain data, for DuckDB's steps to go on from. */
export type TableRead =
  | { parquet: true; report: ValidationReport }
  | {
      parquet: false;
      names: string[];
      labels: string[];
      headerRowNumber: number;
      rowCount: number;
      decisions: ColumnDecision[];
      /** Set when DuckDB may read the file itself: one row per line and no problem. */
      inPlace: InPlaceDialect | undefined;
      /** Notes and blank rows set aside below the table, which DuckDB would read as rows. */
      rowsBelow: number;
      /** Whether the rows were written to the spool; see RawSpool.longestLineBytes. */
      spooled: boolean;
      longestLineBytes: number;
      report: ValidationReport;
    };

/**
 * Reads a file once in JavaScript: sniffs it, locates the table, profiles every cell of every
 * column, decides the columns' types and spools the rows unless DuckDB can read the file in
 * place. Everything it records goes into the returned report, to be added to the ingest's own
 * (ReportCollector.absorb).
 */
export async function readRows(
  task: ReadTask,
  onProgress: (progress: IngestProgress) => void,
): Promise<TableRead> {
  const report = new ReportCollector();
  const source = await openReader(task.file, task.fileName, task.options, report);
  if (source === 'parquet') return { parquet: true, report: report.finish({ rows: 0, fields: 0 }) };
  const table = await locateTable(source.rows(report), report, {
    shortRowsAreErrors: !spreadsheetFormats.has(source.format),
  });
  const names = withoutRowColumn(table.names, report);
  if (names.length === 0)
    throw new UnreadableSource('No table was found in the file: it has no columns.');
  if (names.length > maxTableColumns)
    throw new UnreadableSource(
      `The table has ${names.length} columns; tables of up to ${maxTableColumns} columns can be read into the data API. The file itself stays available for download.`,
    );
  const profilers = names.map(() => new ColumnProfiler());
  // A delimited UTF-8 file may be read by DuckDB in place: the rows are then not spooled.
  const spool = source.inPlace ? undefined : new RawSpool(task.spoolPath, names.length);
  let rowCount = 0;
  let nextLine = table.headerRowNumber + 1;
  let oneLinePerRow = true;
  try {
    for await (const batch of table.rows) {
      for (const row of batch) {
        const cells = row.cells;
        for (let i = 0; i < profilers.length; i += 1) profilers[i]?.observe(cells[i] ?? '');
        if (row.rowNumber !== nextLine) oneLinePerRow = false;
        nextLine = row.rowNumber + 1;
      }
      rowCount += batch.length;
      await spool?.write(batch);
      onProgress({ rows: rowCount, bytes: source.bytesRead?.() ?? 0 });
    }
    await spool?.close();
  } catch (error) {
    spool?.destroy();
    throw error;
  }
  // Blank or repeated labels are the header's, which DuckDB does not read: only row problems count.
  const readCleanly =
    report.errorCount === report.totalOf('blank-label') + report.totalOf('duplicate-label');
  const decisions = names.map((name, i) => {
    const decision = decideColumn(profilers[i]!, name, ownValue(task.options.types, name));
    report.decide({
      topic: 'column-type',
      fieldName: name,
      value: decision.type,
      reason: decision.reason,
    });
    return decision;
  });
  const inPlace = oneLinePerRow && readCleanly ? source.inPlace?.() : undefined;
  return {
    parquet: false,
    names,
    labels: table.labels,
    headerRowNumber: table.headerRowNumber,
    rowCount,
    decisions,
    inPlace,
    rowsBelow: table.rowsBelow(),
    spooled: spool !== undefined,
    longestLineBytes: spool?.longestLineBytes ?? 0,
    report: report.finish({ rows: rowCount, fields: names.length }),
  };
}

/**
 * Reads a delimited file once more only to spool its located rows, after DuckDB could not read
 * it in place; its report is dropped, as the first read already recorded every problem.
 * Resolves with the spool's longest line (RawSpool.longestLineBytes).
 */
export async function spoolRows(task: ReadTask, width: number): Promise<number> {
  const report = new ReportCollector();
  const source = await openReader(task.file, task.fileName, task.options, report);
  if (source === 'parquet') throw new Error('a Parquet file is never spooled');
  const table = await locateTable(source.rows(report), report, { shortRowsAreErrors: true });
  if (table.names.length !== width) throw new Error('the second read found another table');
  const spool = new RawSpool(task.spoolPath, width);
  try {
    for await (const batch of table.rows) await spool.write(batch);
    await spool.close();
  } catch (error) {
    spool.destroy();
    throw error;
  }
  return spool.longestLineBytes;
}

/**
 * `_row` is the row numbers' column: a column named so, in any case (DuckDB's names are not
 * case-sensitive), takes the first free `_row_N`. Renamed blindly to `_row_2`, it took the name
 * of another column, and one of the two could no longer be read.
 */
function withoutRowColumn(names: string[], report: ReportCollector): string[] {
  const taken = new Set(names.map((name) => name.toLowerCase()));
  return names.map((name) => {
    if (name.toLowerCase() !== rowColumn) return name;
    let n = 2;
    while (taken.has(`${name}_${n}`.toLowerCase())) n += 1;
    const renamed = `${name}_${n}`;
    taken.add(renamed.toLowerCase());
    report.decide({
      topic: 'column-name',
      fieldName: renamed,
      value: renamed,
      reason: `"${name}" is the name of the column of row numbers: this column is called "${renamed}"`,
    });
    return renamed;
  });
}
