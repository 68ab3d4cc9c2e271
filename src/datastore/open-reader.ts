import { UnreadableSource } from './readers/errors.js';
import type { ReportCollector } from './report.js';
import { detectEncoding, detectFormat, openDelimitedText } from './sniff/index.js';
import { checkUtf16, type ReadOptions, type TableSource } from './source.js';
import { readHead } from './read-head.js';

const sniffBytes = 64 * 1024;

/**
 * Opens a file with the reader its content calls for (the name only breaks ties), recording the
 * choice. Parquet is not opened here: DuckDB reads it whole, with its own types. The readers of
 * other formats than delimited text are loaded when a file needs them: exceljs and SheetJS
 * alone take a third of a second to load, which every CSV ingest would otherwise pay.
 */
export async function openReader(
  path: string,
  fileName: string | null,
  options: ReadOptions,
  report: ReportCollector,
): Promise<TableSource | 'parquet'> {
  const head = await readHead(path, sniffBytes);
  if (head.length === 0) throw new UnreadableSource('The file is empty.');
  if (options.encoding !== undefined) checkUtf16(options.encoding, head);
  if (options.fixedWidth) {
    report.decide({ topic: 'format', value: 'fixed-width', reason: 'a column layout was given' });
    return (await import('./readers/fixed-width.js')).openFixedWidth(
      path,
      withEncoding(head, options, report),
    );
  }
  const detected = detectFormat(head, fileName ?? undefined, options.encoding);
  report.decide({ topic: 'format', value: detected.format, reason: detected.reason });
  switch (detected.format) {
    case 'csv':
      return openDelimitedText(path, options);
    case 'xlsx':
      return (await import('./readers/xlsx.js')).openXlsx(path, options);
    case 'xls':
    case 'ods':
      return (await import('./readers/sheetjs.js')).openSheetjs(path, options);
    case 'json':
    case 'geojson':
      return (await import('./readers/json.js')).openJson(
        path,
        withEncoding(head, options, report),
      );
    case 'ndjson':
      return (await import('./readers/json.js')).openNdjson(
        path,
        withEncoding(head, options, report),
      );
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

/**
 * The options with the text encoding of a file read line by line or as JSON: the publisher's, else
 * sniffed as for delimited text (a UTF-16 JSON export from Windows, a CP1133 fixed-width file),
 * and recorded. Delimited text records its own, as it reads.
 */
function withEncoding(head: Buffer, options: ReadOptions, report: ReportCollector): ReadOptions {
  if (options.encoding !== undefined) {
    report.decide({ topic: 'encoding', value: options.encoding, reason: 'given by the publisher' });
    return options;
  }
  const detected = detectEncoding(head);
  report.decide({ topic: 'encoding', value: detected.encoding, reason: detected.reason });
  return { ...options, encoding: detected.encoding };
}
