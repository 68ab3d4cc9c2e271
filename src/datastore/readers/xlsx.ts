import { open as openFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { SSF } from '@e965/xlsx';
import { wellFormed } from '../../lib/text.js';
import type { ReportCollector } from '../report.js';
import { ReadProgress, type ReadOptions, type SourceRow, type TableSource } from '../source.js';
import {
  columnLetters,
  isoFromSerial,
  isoFromUtcDate,
  reportErrorCell,
  serialFromExceljsDate,
  trimTrailing,
} from './cells.js';
import { UnreadableSource } from './errors.js';
import { MergeFiller, mergedRangesOfXml } from './merged-cells.js';
import { chooseSheet, type SheetEntry } from './sheet-choice.js';
import {
  checkZip,
  defaultZipLimits,
  isCompoundFile,
  zipEntriesInOrder,
  type ZipDirectory,
  type ZipLimits,
} from './zip-guard.js';

const batchSize = 500;
const passwordMessage =
  'the workbook is password-protected; remove the password and upload it again';
/** The cell text reported for a formula's saved error, whose name exceljs does not keep. */
const unnamedError = '#N/A, #DIV/0! or another error';
const valueTag = /<(?:[A-Za-z]+:)?(?:v|is|f)[\s>/]/;

interface XlsxSheet extends SheetEntry {
  /** Zip path of the sheet part, e.g. `xl/worksheets/sheet2.xml`. */
  path: string;
}

/** Enough of a sheet part's `<mergeCells>` for any real report (some 30 bytes a range). */
const maxMergeText = 8 * 1024 ** 2;

/**
 * Opens an XLSX or XLSM workbook for streaming. The zip is checked (declared and real sizes,
 * hidden entries) before exceljs inflates anything, and the same pass finds which sheets hold a
 * value, so `sheets` is exact without parsing the XML.
 *
 * @example const source = await openXlsx('/tmp/upload.xlsx', { sheet: 'ແຂວງ' });
 */
export async function openXlsx(
  file: string,
  options: ReadOptions,
  limits: ZipLimits = defaultZipLimits,
): Promise<TableSource> {
  if (await isCompoundFile(file)) {
    throw new UnreadableSource(
      (await holdsEncryptedPackage(file))
        ? passwordMessage
        : 'the file is an old-format Excel workbook (XLS), not XLSX; upload it with the .xls extension',
    );
  }
  const texts = new Map<string, Buffer[]>();
  const valued = new Set<string>();
  const carry = new Map<string, string>();
  // A sheet's merged ranges follow its rows, where a streaming read meets them too late: the
  // same pass keeps each part's text from its `<mergeCells>` on.
  const mergeTexts = new Map<string, string>();
  const mergeCarry = new Map<string, string>();
  const collectMerges = (name: string, data: Buffer) => {
    const started = mergeTexts.get(name);
    if (started !== undefined) {
      if (started.length < maxMergeText) mergeTexts.set(name, started + data.toString('latin1'));
      return;
    }
    const at = data.indexOf('mergeCells');
    const edge = (mergeCarry.get(name) ?? '') + data.subarray(0, 16).toString('latin1');
    if (at >= 0) mergeTexts.set(name, data.subarray(at).toString('latin1'));
    else if (edge.includes('mergeCells'))
      mergeTexts.set(
        name,
        edge.slice(edge.indexOf('mergeCells')) + data.subarray(16).toString('latin1'),
      );
    else mergeCarry.set(name, data.subarray(-16).toString('latin1'));
  };
  const directory = await checkZip(file, limits, {
    select: (name) =>
      name === 'xl/workbook.xml' ||
      name === 'xl/_rels/workbook.xml.rels' ||
      name.startsWith('xl/worksheets/'),
    chunk: (name, data) => {
      if (!name.startsWith('xl/worksheets/')) {
        texts.set(name, [...(texts.get(name) ?? []), data]);
        return;
      }
      collectMerges(name, data);
      if (valued.has(name)) return;
      // Keep the end of the previous chunk so a tag split across chunks is still seen.
      const text = (carry.get(name) ?? '') + data.toString('latin1');
      if (valueTag.test(text)) valued.add(name);
      carry.set(name, text.slice(-8));
    },
  });
  const sheets = listSheets(texts).map((sheet) => ({ ...sheet, empty: !valued.has(sheet.path) }));
  // A workbook saved by Excel for Mac may count days from 1904: exceljs shifts plain date cells
  // itself, but a formula's saved result is a bare serial number converted here.
  const date1904 = /<(?:\w+:)?workbookPr\b[^>]*\sdate1904="(?:1|true)"/.test(
    Buffer.concat(texts.get('xl/workbook.xml') ?? []).toString('utf8'),
  );
  if (sheets.length === 0)
    throw new UnreadableSource('the workbook has no sheets, or is not a real XLSX workbook');
  const progress = new ReadProgress();
  return {
    format: 'xlsx',
    sheets: sheets.map(({ name, empty }) => ({ name, empty })),
    rows: (report) =>
      readSheet(
        file,
        directory,
        chooseSheet(sheets, options.sheet, report),
        date1904,
        mergeTexts,
        report,
        progress,
      ),
    bytesRead: progress.bytesRead,
  };
}

/** An encrypted OOXML file is a compound file whose directory names an `EncryptedPackage` stream. */
async function holdsEncryptedPackage(file: string): Promise<boolean> {
  const handle = await openFile(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(1024 ** 2), 0, 1024 ** 2, 0);
    return buffer.subarray(0, bytesRead).includes(Buffer.from('EncryptedPackage', 'utf16le'));
  } finally {
    await handle.close();
  }
}

const attribute = (element: string, name: string): string | undefined =>
  new RegExp(`\\s(?:[A-Za-z]+:)?${name}="([^"]*)"`).exec(element)?.[1];

const xmlText = (text: string): string =>
  text.replace(/&(lt|gt|amp|quot|apos|#x[0-9a-fA-F]+|#\d+);/g, (_, entity: string) => {
    const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return named[entity] ?? '';
  });

/** Sheets in tab order with the zip path of each, from workbook.xml and its relationships. */
function listSheets(texts: Map<string, Buffer[]>): Array<Omit<XlsxSheet, 'empty'>> {
  const read = (name: string): string => Buffer.concat(texts.get(name) ?? []).toString('utf8');
  const targets = new Map<string, string>();
  for (const [element] of read('xl/_rels/workbook.xml.rels').matchAll(
    /<(?:\w+:)?Relationship\b[^>]*>/g,
  )) {
    const id = attribute(element, 'Id');
    const target = attribute(element, 'Target');
    if (id !== undefined && target !== undefined) {
      targets.set(id, target.startsWith('/') ? target.slice(1) : `xl/${target}`);
    }
  }
  const sheets: Array<Omit<XlsxSheet, 'empty'>> = [];
  for (const [element] of read('xl/workbook.xml').matchAll(/<(?:\w+:)?sheet\b[^>]*>/g)) {
    const name = attribute(element, 'name');
    const path = targets.get(attribute(element, 'id') ?? '');
    const state = attribute(element, 'state');
    if (name !== undefined && path !== undefined)
      sheets.push({
        name: xmlText(name),
        path,
        hidden: state === 'hidden' || state === 'veryHidden',
      });
  }
  return sheets;
}

async function* readSheet(
  file: string,
  directory: ZipDirectory,
  sheet: XlsxSheet,
  date1904: boolean,
  mergeTexts: Map<string, string>,
  report: ReportCollector,
  progress: ReadProgress,
): AsyncGenerator<SourceRow[]> {
  const merged = new MergeFiller(mergedRangesOfXml(mergeTexts.get(sheet.path) ?? ''), report);
  const sheetNumber = /sheet(\d+)\.xml$/.exec(sheet.path)?.[1];
  progress.restart();
  const input = zipEntriesInOrder(
    file,
    directory,
    [
      'xl/_rels/workbook.xml.rels',
      'xl/workbook.xml',
      'xl/sharedStrings.xml',
      'xl/styles.xml',
      sheet.path,
    ],
    progress.count,
  );
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  });
  // exceljs copies a sheet whole into a temporary file (in the OS's temp directory, left there
  // if the process dies) when it meets the sheet before the shared strings and the workbook's
  // relationships: always, for a workbook without shared strings (536 MB for an 87 MB file,
  // and progress stood at 100% while it was read back). Those parts come before the sheet here,
  // so it may start as if it had read them: a part that exists replaces the empty value.
  Object.assign(workbook, { sharedStrings: [], workbookRels: [] });
  const missingFormulas: string[] = [];
  let batch: SourceRow[] = [];
  let next = 1;
  try {
    for await (const worksheet of workbook) {
      // exceljs names a sheet only when its relationship target is relative; else match the part.
      const { name, id } = worksheet as unknown as { name?: string; id: number | string };
      if (name !== undefined ? name !== sheet.name : String(id) !== sheetNumber) {
        // A sheet parked in a temporary file is opened when yielded and its file deleted as soon
        // as the loop moves on: skipping it unread races the open against the delete (ENOENT).
        for await (const _row of worksheet) {
          // read to the end, unused
        }
        continue;
      }
      for await (const row of worksheet) {
        // Rows absent from the file are blank rows of the sheet: yield them so numbering stays exact.
        // A lone cell at row 1,048,576 makes a million of them: they go in batches too.
        for (; next < row.number; next += 1) {
          batch.push({ rowNumber: next, cells: merged.fill(next, []) });
          if (batch.length >= batchSize) {
            yield batch;
            batch = [];
          }
        }
        const cells: string[] = [];
        row.eachCell({ includeEmpty: false }, (cell, column) => {
          while (cells.length < column - 1) cells.push('');
          cells.push(
            decodeEscapes(cellText(cell, row.number, column, date1904, report, missingFormulas)),
          );
        });
        batch.push({ rowNumber: row.number, cells: merged.fill(row.number, trimTrailing(cells)) });
        next = row.number + 1;
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
      break;
    }
  } catch (error) {
    if (error instanceof UnreadableSource) throw error;
    throw new UnreadableSource(
      `the workbook could not be read: ${error instanceof Error ? error.message : String(error)}`,
    );
  } finally {
    input.destroy();
  }
  if (batch.length > 0) yield batch;
  if (missingFormulas.length > 0) {
    report.decide({
      topic: 'formula-without-value',
      value: String(missingFormulas.length),
      reason: `${missingFormulas.length} formula cell(s) had no saved result (first: ${missingFormulas[0]}); they were read as empty. Open and save the workbook in Excel or LibreOffice to store the results.`,
    });
  }
}

/** Canonical text of one cell; errors are reported where they are and read as empty. */
function cellText(
  cell: ExcelJS.Cell,
  rowNumber: number,
  column: number,
  date1904: boolean,
  report: ReportCollector,
  missing: string[],
): string {
  const value = cell.value;
  const address = `${columnLetters(column)}${rowNumber}`;
  const typeError = (text: string): string => reportErrorCell(report, rowNumber, column, text);
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : typeError('#NUM!');
  if (value instanceof Date) return dateCellText(value, date1904);
  if ('error' in value) return typeError(String(value.error));
  if ('richText' in value) return value.richText.map((run) => run.text).join('');
  if ('formula' in value || 'sharedFormula' in value) {
    // A formula cell's value copies only truthy results: a saved 0 (a total of nothing), FALSE
    // or "" is in its model alone. (A cell sharing another's formula keeps all in its value.)
    const result: unknown =
      cell.type === ExcelJS.ValueType.Formula
        ? (cell.model as { result?: unknown }).result
        : value.result;
    if (result === undefined) {
      missing.push(address);
      return '';
    }
    // exceljs's streaming reader parses every non-string result as a float: an error gives NaN,
    // and which error it was is lost.
    if (typeof result === 'number' && Number.isNaN(result)) return typeError(unnamedError);
    if (typeof result === 'number' && SSF.is_date(cell.numFmt ?? 'General')) {
      return isoFromSerial(result, date1904);
    }
    if (typeof result === 'object' && result !== null && 'error' in result)
      return typeError(String(result.error));
    if (result instanceof Date) return dateCellText(result, date1904);
    return String(result);
  }
  if ('text' in value) {
    const text: unknown = value.text;
    return typeof text === 'string'
      ? text
      : typeof text === 'object' && text !== null && 'richText' in text
        ? (text as ExcelJS.CellRichTextValue).richText.map((run) => run.text).join('')
        : '';
  }
  return '';
}

/** ISO text of a date cell, which exceljs read as a Date counted from 1899-12-30. */
function dateCellText(date: Date, date1904: boolean): string {
  const serial = serialFromExceljsDate(date, date1904);
  // Excel writes no serial below 0; LibreOffice and exceljs write the dates before 1900 so,
  // counted back from 1899-12-30 as exceljs read them.
  return serial < 0 ? isoFromUtcDate(date) : isoFromSerial(serial, date1904);
}

/**
 * Text of an OOXML string with its `_xHHHH_` escapes decoded: Excel writes a carriage return as
 * `_x000D_` (XML would turn a literal one into a line feed) and other control characters the
 * same way, and `_x005F_` for an underscore that begins such a sequence; exceljs keeps them as
 * written. ECMA-376 Part 1, 22.9.2.19 (ST_Xstring).
 *
 * @example decodeEscapes('ແຖວ 1_x000D_\nແຖວ 2') // 'ແຖວ 1\r\nແຖວ 2'
 */
export function decodeEscapes(text: string): string {
  if (!text.includes('_x')) return text;
  // NUL is dropped, as from a CSV; half a surrogate pair becomes U+FFFD (wellFormed).
  return wellFormed(
    text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => {
      const code = parseInt(hex, 16);
      return code === 0 ? '' : String.fromCharCode(code);
    }),
  );
}
