import { readFile, stat } from 'node:fs/promises';
import * as XLSX from '@e965/xlsx';
import type { ReportCollector } from '../report.js';
import type { ReadOptions, SourceRow, TableSource } from '../source.js';
import { columnLetters, isoFromSerial, reportErrorCell, trimTrailing } from './cells.js';
import { UnreadableSource } from './errors.js';
import { MergeFiller } from './merged-cells.js';
import { chooseSheet } from './sheet-choice.js';
import { checkZip, defaultZipLimits, type ZipLimits } from './zip-guard.js';

/**
 * SheetJS parses a whole workbook in memory (several times the file size), so larger XLS/ODS
 * files are refused; XLSX, the usual big format, streams instead (see xlsx.ts).
 */
export const maxSheetjsBytes = 200 * 1024 ** 2;

const zipMagic = Buffer.from('PK\x03\x04', 'latin1');
/**
 * SheetJS holds the inflated XML of an ODS file whole, and then its cells, within the ingest
 * process's heap: past a few hundred MB of XML it could not finish anyway.
 */
const sheetjsZipLimits: ZipLimits = { ...defaultZipLimits, maxUncompressedBytes: 256 * 1024 ** 2 };
const batchSize = 500;
const passwordMessage =
  'the workbook is password-protected; remove the password and upload it again';

/**
 * Opens a legacy Excel (XLS, BIFF) or OpenDocument (ODS) workbook. Dates are read as serial
 * numbers and converted here, because SheetJS's own Date objects depend on the server's zone.
 *
 * @example const source = await openSheetjs('/tmp/census.ods', { sheet: 0 });
 */
export async function openSheetjs(
  file: string,
  options: ReadOptions,
  maxBytes = maxSheetjsBytes,
): Promise<TableSource> {
  const { size } = await stat(file);
  if (size > maxBytes) {
    throw new UnreadableSource(
      `the workbook is ${Math.ceil(size / 1024 ** 2)} MB; XLS and ODS files are read up to ${Math.round(maxBytes / 1024 ** 2)} MB. Save it as XLSX or CSV and upload it again`,
    );
  }
  const data = await readFile(file);
  // An ODS file is a zip, and SheetJS inflates all of it in memory: a bomb is refused first.
  if (data.subarray(0, 4).equals(zipMagic)) await checkZip(file, sheetjsZipLimits);
  const workbook = parseWorkbook(data);
  const format = workbook.bookType === 'ods' || workbook.bookType === 'fods' ? 'ods' : 'xls';
  const sheets = workbook.SheetNames.map((name, index) => ({
    name,
    empty: !holdsValue(workbook.Sheets[name]),
    // 1 hidden, 2 "very hidden" (only a macro shows it again).
    hidden: (workbook.Workbook?.Sheets?.[index]?.Hidden ?? 0) > 0,
  }));
  const date1904 = workbook.Workbook?.WBProps?.date1904 === true;
  return {
    format,
    sheets: sheets.map(({ name, empty }) => ({ name, empty })),
    // The whole file is read, and parsed, before the first row.
    bytesRead: () => size,
    rows: (report) => {
      const chosen = chooseSheet(sheets, options.sheet, report);
      return readSheet(workbook.Sheets[chosen.name], date1904, report);
    },
  };
}

function parseWorkbook(data: Buffer): XLSX.WorkBook {
  let workbook: XLSX.WorkBook;
  try {
    workbook = XLSX.read(data, {
      dense: true,
      cellDates: false,
      cellNF: true,
      cellFormula: true,
      cellHTML: false,
      WTF: false,
    });
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    if (/password|encrypt/i.test(text)) throw new UnreadableSource(passwordMessage);
    throw new UnreadableSource(
      `the workbook could not be read; the file is damaged or not a spreadsheet (${text})`,
    );
  }
  // An encrypted XLSX is a compound file that SheetJS opens as a workbook without sheets.
  if (workbook.SheetNames.length === 0) {
    if (data.includes(Buffer.from('EncryptedPackage', 'utf16le')))
      throw new UnreadableSource(passwordMessage);
    throw new UnreadableSource('the workbook has no sheets, or the file is not a spreadsheet');
  }
  // SheetJS reads any text as a one-sheet "workbook"; a real XLS is a compound file, an ODS a zip.
  const magic = data.subarray(0, 4).toString('hex');
  if (
    magic !== 'd0cf11e0' &&
    magic !== '504b0304' &&
    !data.subarray(0, 200).toString('latin1').includes('<?xml')
  ) {
    throw new UnreadableSource('the file is not an XLS or ODS workbook');
  }
  return workbook;
}

const denseRows = (
  sheet: XLSX.WorkSheet | undefined,
): Array<Array<XLSX.CellObject | null | undefined> | null | undefined> =>
  (sheet?.['!data'] as
    Array<Array<XLSX.CellObject | null | undefined> | null | undefined> | undefined) ?? [];

function holdsValue(sheet: XLSX.WorkSheet | undefined): boolean {
  return denseRows(sheet).some(
    (row) =>
      row?.some(
        (cell) =>
          cell !== null && cell !== undefined && (cell.v !== undefined || cell.f !== undefined),
      ) === true,
  );
}

async function* readSheet(
  sheet: XLSX.WorkSheet | undefined,
  date1904: boolean,
  report: ReportCollector,
): AsyncGenerator<SourceRow[]> {
  const rows = denseRows(sheet);
  const merged = new MergeFiller(
    (sheet?.['!merges'] ?? []).map((range) => ({
      top: range.s.r + 1,
      left: range.s.c + 1,
      bottom: range.e.r + 1,
      right: range.e.c + 1,
    })),
    report,
  );
  const missingFormulas: string[] = [];
  let batch: SourceRow[] = [];
  for (let r = 0; r < rows.length; r += 1) {
    const row = rows[r] ?? [];
    const cells: string[] = [];
    for (let c = 0; c < row.length; c += 1) {
      cells.push(cellText(row[c], r + 1, c + 1, date1904, report, missingFormulas));
    }
    batch.push({ rowNumber: r + 1, cells: merged.fill(r + 1, trimTrailing(cells)) });
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
  if (missingFormulas.length > 0) {
    report.decide({
      topic: 'formula-without-value',
      value: String(missingFormulas.length),
      reason: `${missingFormulas.length} formula cell(s) had no saved result (first: ${missingFormulas[0]}); they were read as empty. Open and save the workbook to store the results.`,
    });
  }
}

function cellText(
  cell: XLSX.CellObject | null | undefined,
  rowNumber: number,
  column: number,
  date1904: boolean,
  report: ReportCollector,
  missing: string[],
): string {
  if (cell === null || cell === undefined) return '';
  const address = `${columnLetters(column)}${rowNumber}`;
  switch (cell.t) {
    case 'e':
      return reportErrorCell(report, rowNumber, column, cell.w ?? XLSX.utils.format_cell(cell));
    case 'b':
      return String(cell.v === true);
    case 'n': {
      const value = cell.v as number;
      return typeof cell.z === 'string' && XLSX.SSF.is_date(cell.z)
        ? isoFromSerial(value, date1904)
        : String(value);
    }
    case 'd':
      return cell.v instanceof Date
        ? cell.v.toISOString().replace(/T00:00:00\.000Z$|\.000Z$|Z$/, '')
        : String(cell.v);
    case 's':
      return String(cell.v ?? '');
    default:
      if (cell.f !== undefined && cell.v === undefined) missing.push(address);
      return cell.v === undefined || cell.v === null ? '' : String(cell.v);
  }
}
