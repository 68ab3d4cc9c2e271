// Merged cells of a worksheet. A spreadsheet stores a merged range's value in its top-left cell
// only; a report that merges a province's cell down the rows of its districts would otherwise
// give that province to its first district alone, and leave the others without one.
import type { ReportCollector } from '../report.js';
import { columnLetters } from './cells.js';

/** A merged range, 1-based and inclusive. */
export interface MergedRange {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

/** More ranges than any real report merges; past it a sheet's merges are left as they are. */
const maxRanges = 100_000;

/** `B12` as its column and row numbers (1-based). */
function cellAt(ref: string): { row: number; column: number } | undefined {
  const match = /^([A-Za-z]{1,3})(\d{1,7})$/.exec(ref);
  if (match === null) return undefined;
  let column = 0;
  for (const letter of match[1]!.toUpperCase()) column = column * 26 + letter.charCodeAt(0) - 64;
  return { row: Number(match[2]), column };
}

/**
 * The merged ranges an XLSX sheet part lists (`<mergeCell ref="A2:A40"/>`, after its rows).
 *
 * @example mergedRangesOfXml('<mergeCells><mergeCell ref="A2:A4"/></mergeCells>') // [{ top: 2, left: 1, bottom: 4, right: 1 }]
 */
export function mergedRangesOfXml(xml: string): MergedRange[] {
  const ranges: MergedRange[] = [];
  for (const match of xml.matchAll(/<(?:\w+:)?mergeCell\b[^>]*?\sref="([^"]+)"/g)) {
    const [from = '', to = from] = match[1]!.split(':');
    const start = cellAt(from);
    const end = cellAt(to);
    if (start === undefined || end === undefined) continue;
    ranges.push({
      top: Math.min(start.row, end.row),
      left: Math.min(start.column, end.column),
      bottom: Math.max(start.row, end.row),
      right: Math.max(start.column, end.column),
    });
    if (ranges.length > maxRanges) break;
  }
  return ranges;
}

/**
 * Gives every cell of a merged range that spans rows the value of its top-left cell, as the
 * sheet shows it. A range within one row is left alone: over a header, that is a group label the
 * header joins with the labels under it (sniff/table.ts); in the data, one value over several
 * columns is one value.
 *
 * @example
 *   const filler = new MergeFiller(ranges, report);
 *   for (const row of rows) row.cells = filler.fill(row.rowNumber, row.cells);
 */
export class MergeFiller {
  readonly #waiting: MergedRange[];
  #active: Array<{ range: MergedRange; value: string }> = [];

  constructor(ranges: MergedRange[], report: ReportCollector) {
    const spanning = ranges.length > maxRanges ? [] : ranges.filter((r) => r.bottom > r.top);
    // Last first, so that the next range to start is popped off the end.
    this.#waiting = spanning.sort((a, b) => b.top - a.top || b.left - a.left);
    const first = spanning.at(-1);
    if (first !== undefined) {
      const ref = (row: number, column: number) => `${columnLetters(column)}${row}`;
      report.decide({
        topic: 'merged-cells',
        value: String(spanning.length),
        reason: `${spanning.length} merged range${spanning.length > 1 ? 's span' : ' spans'} several rows (first: ${ref(first.top, first.left)}:${ref(first.bottom, first.right)}): each cell of such a range takes the value the sheet shows in it`,
      });
    }
  }

  /** Fills the merged values into the cells of row `rowNumber`, in place; rows come in order. */
  fill(rowNumber: number, cells: string[]): string[] {
    if (this.#active.length === 0 && this.#waiting.length === 0) return cells;
    this.#active = this.#active.filter(({ range }) => range.bottom >= rowNumber);
    const put = (column: number, value: string) => {
      while (cells.length < column) cells.push('');
      if (cells[column - 1] === '') cells[column - 1] = value;
    };
    for (const { range, value } of this.#active)
      for (let column = range.left; column <= range.right; column += 1) put(column, value);
    for (let next = this.#waiting.at(-1); next !== undefined && next.top <= rowNumber;) {
      this.#waiting.pop();
      // A range whose top row was absent (blank) has no value to give.
      const value = next.top === rowNumber ? (cells[next.left - 1] ?? '') : '';
      if (value !== '') {
        this.#active.push({ range: next, value });
        for (let column = next.left + 1; column <= next.right; column += 1) put(column, value);
      }
      next = this.#waiting.at(-1);
    }
    return cells;
  }
}
