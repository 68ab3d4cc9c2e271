import type { ReportCollector } from '../report.js';
/** Canonical cell text shared by the spreadsheet readers (see SourceRow in ../source.ts). */

const msPerDay = 86_400_000;
const excelEpoch = Date.UTC(1899, 11, 30);
const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * A Date whose UTC fields hold the wall-clock value of the cell (both libraries build dates
 * that way), as ISO 8601 without a zone: `2024-03-01` when there is no time of day.
 * Rounds to the second because serial numbers are binary fractions of a day (…T08:29:59.999).
 */
export function isoFromUtcDate(date: Date): string {
  const time = Math.round(date.getTime() / 1000) * 1000;
  const d = new Date(time);
  const day = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  if (time % msPerDay === 0) return day;
  return `${day}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/**
 * An Excel serial day number (1900 system, or 1904 when the workbook says so) as ISO text.
 * A serial from 0 to 1 is a time of day only (0.5 = 12:00) in either system: a time cell of a
 * 1904 workbook is not a datetime on 1 January 1904.
 */
export function isoFromSerial(serial: number, date1904 = false): string {
  if (serial >= 0 && serial < 1)
    return isoFromUtcDate(new Date(serial * msPerDay)).slice(11) || '00:00:00';
  if (date1904) return isoFromUtcDate(new Date(excelEpoch + (serial + 1462) * msPerDay));
  // Excel counts a 29 February 1900 that never was (serial 60, kept from Lotus 1-2-3): serial 1
  // is 1900-01-01, so the serials before it count from 1899-12-31, the later ones from
  // 1899-12-30. SheetJS numbers the dates before 1900 of an ODS file the same way, below 0.
  const epoch = serial < 60 ? excelEpoch + msPerDay : excelEpoch;
  return isoFromUtcDate(new Date(epoch + serial * msPerDay));
}

/**
 * The serial number exceljs read for a date cell, back from the Date it built (from 1899-12-30,
 * plus 1462 days in a 1904 workbook), so that every reader converts serials in one place.
 */
export function serialFromExceljsDate(date: Date, date1904: boolean): number {
  return (date.getTime() - excelEpoch) / msPerDay - (date1904 ? 1462 : 0);
}

/** Cells after the last non-empty one carry no data (styled but blank); drop them. */
export function trimTrailing(cells: string[]): string[] {
  let end = cells.length;
  while (end > 0 && cells[end - 1] === '') end -= 1;
  return end === cells.length ? cells : cells.slice(0, end);
}

/** `A1`-style column letters for messages the publisher reads next to their spreadsheet. */
export function columnLetters(fieldNumber: number): string {
  let letters = '';
  for (let n = fieldNumber; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  }
  return letters;
}

/** Reports a cell holding a spreadsheet error (`#DIV/0!`…), which is read as empty. */
export function reportErrorCell(
  report: ReportCollector,
  rowNumber: number,
  column: number,
  text: string,
): string {
  report.error({
    code: 'type-error',
    rowNumber,
    fieldNumber: column,
    cell: text,
    message: `cell ${columnLetters(column)}${rowNumber} holds the spreadsheet error ${text}; it was read as empty`,
  });
  return '';
}
