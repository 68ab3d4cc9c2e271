import {
  UnreadableSource,
  openFixedWidth,
  openJson,
  openNdjson,
  openSheetjs,
  openXlsx,
} from './readers/index.js';
import type { ReportCollector } from './report.js';
import { detectFormat, openDelimitedText } from './sniff/index.js';
import type { ReadOptions, TableSource } from './source.js';
import { readHead } from './read-head.js';

const sniffBytes = 64 * 1024;

/**
 * Opens a file with the reader its content calls for (the name only breaks ties), recording the
 * choice. Parquet is not opened here: DuckDB reads it whole, with its own types.
 */
export async function openReader(
  path: string,
  fileName: string | null,
  options: ReadOptions,
  report: ReportCollector,
): Promise<TableSource | 'parquet'> {
  if (options.fixedWidth) {
    report.decide({ topic: 'format', value: 'fixed-width', reason: 'a column layout was given' });
    return openFixedWidth(path, options);
  }
  const head = await readHead(path, sniffBytes);
  if (head.length === 0) throw new UnreadableSource('The file is empty.');
  const detected = detectFormat(head, fileName ?? undefined);
  report.decide({ topic: 'format', value: detected.format, reason: detected.reason });
  switch (detected.format) {
    case 'csv':
      return openDelimitedText(path, options);
    case 'xlsx':
      return openXlsx(path, options);
    case 'xls':
    case 'ods':
      return openSheetjs(path, options);
    case 'json':
    case 'geojson':
      return openJson(path, options);
    case 'ndjson':
      return openNdjson(path, options);
    case 'parquet':
      return 'parquet';
    case 'xlsx-encrypted':
      throw new UnreadableSource(
        'The workbook is password-protected; remove the password and upload it again.',
      );
    case 'unknown':
      throw new UnreadableSource(
        `This file is not a table Khomoun can read (${detected.reason}). Upload CSV, XLSX, XLS, ODS, JSON, GeoJSON or Parquet.`,
      );
  }
}
