import type { ReportCollector } from '../report.js';
import type { SourceRow } from '../source.js';

export interface LocatedTable {
  /** Header labels as written (two header rows joined as `group sub`). */
  labels: string[];
  /** Cleaned, unique column names, one per label. */
  names: string[];
  /** 1-based row number of the header (of its lower row when two rows are joined); 0 if none. */
  headerRowNumber: number;
  /** Body rows, exactly `names.length` cells each. */
  rows: AsyncIterable<SourceRow[]>;
  /** Rows below the last body row set aside as notes or blank, once `rows` has been read. */
  rowsBelow(): number;
}

/** Rows read before deciding where the header is. */
const headRows = 60;
/** Rows held after a blank row while deciding whether they are notes or more data. */
const maxHeldRows = 50;
/** A first cell this long, with a blank in it, reads as a sentence rather than a row label. */
const sentenceChars = 40;
const noteStart = /^\s*(source|sources|note|notes|remark|\*|ໝາຍເຫດ|ຫມາຍເຫດ|ແຫຼ່ງ|ແຫລ່ງ|ທີ່ມາ)/iu;

/**
 * Finds the table in a sheet or delimited file: skips title rows above the header, joins a
 * two-row header, cleans the names, and streams the body with blank, short and long rows
 * reported and notes below the table set aside. Decisions: `header-row`, `notes-below`.
 *
 * @example const table = await locateTable(source.rows(report), report);
 */
export async function locateTable(
  rows: AsyncIterable<SourceRow[]>,
  report: ReportCollector,
  options: { shortRowsAreErrors?: boolean } = {},
): Promise<LocatedTable> {
  // Spreadsheets store no trailing empty cells, so a short row there is complete; in text every
  // row spells out all its fields, and a short one lost some.
  const shortRowsAreErrors = options.shortRowsAreErrors ?? true;
  const iterator = rows[Symbol.asyncIterator]();
  const head: SourceRow[] = [];
  let done = false;
  while (head.length < headRows) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    // Not push(...batch): a batch may be long, and spread arguments live on the stack.
    for (const row of next.value) head.push(row);
  }
  const header = findHeader(head);
  if (header === undefined) {
    report.decide({
      topic: 'header-row',
      value: 'none',
      reason: 'the source has no non-blank row',
    });
    return {
      labels: [],
      names: [],
      headerRowNumber: 0,
      rows: (async function* () {})(),
      rowsBelow: () => 0,
    };
  }
  report.decide({
    topic: 'header-row',
    value: String(head[header.last]?.rowNumber),
    reason: header.reason,
  });
  const labels = header.labels;
  const names = cleanNames(labels, head[header.last]?.rowNumber ?? 0, report);
  const rest = head.slice(header.last + 1);
  const more = done ? undefined : iterator;
  const below = { rows: 0 };
  return {
    labels,
    names,
    headerRowNumber: head[header.last]?.rowNumber ?? 0,
    rows: body(rest, more, names, report, { shortRowsAreErrors, below }),
    rowsBelow: () => below.rows,
  };
}

interface Header {
  first: number;
  last: number;
  labels: string[];
  reason: string;
}

/** A cell with something besides blanks; asked of most cells, so a visible first character answers. */
function filled(cell: string | undefined): boolean {
  if (cell === undefined || cell.length === 0) return false;
  const first = cell.charCodeAt(0);
  if ((first > 32 && first < 127) || (first >= 0x0e80 && first <= 0x0eff)) return true;
  return cell.trim() !== '';
}
const numeric = (cell: string): boolean => /^[\s(+-]*[\d.,\s%)]+$/u.test(cell) && /\d/.test(cell);
const year = (cell: string): boolean => /^\s*(?:19|20)\d\d\s*$/.test(cell);

/**
 * The cells hold two or more years, each once: statistics tables put years across the top
 * (`province, 2019, 2020, 2021`), and such a row is a header, where a row of data seldom holds
 * distinct years side by side.
 */
function holdsYearLabels(cells: string[]): boolean {
  const years = cells.filter(year).map((cell) => cell.trim());
  return years.length >= 2 && new Set(years).size === years.length;
}

/** Cells of a row that read as numbers, its years not counted when they are labels. */
function numbersIn(cells: string[]): number {
  const yearLabels = holdsYearLabels(cells);
  return cells.filter((cell) => numeric(cell) && !(yearLabels && year(cell))).length;
}

function widthOf(row: SourceRow): number {
  for (let i = row.cells.length - 1; i >= 0; i--) if (filled(row.cells[i])) return i + 1;
  return 0;
}

function findHeader(head: SourceRow[]): Header | undefined {
  const nonBlank = head.filter((row) => widthOf(row) > 0);
  if (nonBlank.length === 0) return undefined;
  // Row 0 is none of the file's: the names a reader gives the columns (keys, a layout), so the
  // header whatever it looks like.
  const given = head[0];
  if (given?.rowNumber === 0 && given.cells.length > 0) {
    return {
      first: 0,
      last: 0,
      labels: given.cells,
      reason:
        'row 0 is not a row of the file but the names it gives its columns (the keys of its records, the properties of its features, or the layout)',
    };
  }
  // A header is as wide as the rows below it (their lower median width), and mostly text;
  // title rows above it are narrow.
  const widthBelow = (index: number): number => {
    const below = head
      .slice(index + 1)
      .map(widthOf)
      .filter((w) => w > 0)
      .slice(0, 30);
    below.sort((x, y) => x - y);
    return below[Math.floor((below.length - 1) / 2)] ?? 0;
  };
  let width = 0;
  let index = head.findIndex((row, i) => {
    const cells = row.cells.filter(filled);
    if (cells.length === 0) return false;
    width = widthBelow(i);
    return (
      widthOf(row) >= Math.max(1, width - 1) &&
      cells.length >= Math.ceil(width / 2) &&
      numbersIn(cells) <= cells.length / 2
    );
  });
  const header = head[index];
  const years = header !== undefined && holdsYearLabels(header.cells) ? ' and years' : '';
  // Completes "row N …".
  let why =
    width === 0
      ? 'is the only non-blank row, read as the header: no data rows below it'
      : `is the first row of mostly text${years} about as wide as the rows below it (most fill ${width} column${width > 1 ? 's' : ''})`;
  if (index < 0) {
    index = head.findIndex((row) => widthOf(row) > 0);
    why = 'is used: no row looks like a header, and it is the first non-blank one';
  }
  const row = head[index] as SourceRow;
  const skipped = index - head.slice(0, index).filter((r) => widthOf(r) === 0).length;
  const above = skipped > 0 ? `; ${skipped} title row${skipped > 1 ? 's' : ''} above skipped` : '';
  // Columns past the last label count only when most rows below fill them; an empty trailing
  // column (no label, no value) is dropped, and a stray value there is an extra cell.
  const widest = Math.max(widthOf(row), widthBelow(index));
  const labels = padded(row.cells, widest);
  const sub = head[index + 1];
  if (sub !== undefined && isSubHeader(labels, sub, head[index + 2])) {
    let group = '';
    const joined = labels.map((label, i) => {
      // A merged group cell is written in its first column only: carry it to the right.
      if (filled(label)) group = label.trim();
      const part = sub.cells[i]?.trim() ?? '';
      // A label merged down both rows is in both (the readers fill merged ranges): once.
      if (part === '' || part === label.trim()) return label;
      return filled(label) ? `${label.trim()} ${part}` : `${group} ${part}`;
    });
    return {
      first: index,
      last: index + 1,
      labels: joined,
      reason: `rows ${row.rowNumber} and ${sub.rowNumber} form one header (group labels over sub-labels); ${why}${above}`,
    };
  }
  return {
    first: index,
    last: index,
    labels,
    reason: `row ${row.rowNumber} ${why}${above}`,
  };
}

/**
 * A second header row: all text (or years, first cell blank), filling columns left blank by a
 * merged group cell above.
 */
function isSubHeader(labels: string[], sub: SourceRow, after: SourceRow | undefined): boolean {
  const cells = sub.cells.filter(filled);
  // Years under group labels repeat (2019, 2020 under each group); a row of data is told apart
  // by its first cell, which holds the row's label where a sub-header leaves it blank (or holds
  // the first label again, merged down both rows).
  const first = sub.cells[0]?.trim() ?? '';
  const yearsAllowed = first === '' || first === labels[0]?.trim();
  if (cells.length === 0 || cells.some((cell) => numeric(cell) && !(yearsAllowed && year(cell))))
    return false;
  const underMerged = labels.some((label, i) => !filled(label) && i > 0 && filled(sub.cells[i]));
  const bodyHasNumbers =
    after !== undefined && after.cells.some((cell) => filled(cell) && numeric(cell));
  return underMerged && bodyHasNumbers;
}

function padded(cells: string[], width: number): string[] {
  const out = cells.slice(0, width);
  while (out.length < width) out.push('');
  return out;
}

/** A row that may be a note below the table: only its first cell is filled. */
function noteLike(row: SourceRow, width: number): boolean {
  if (width <= 1 || !filled(row.cells[0])) return false;
  // Asked of every row: a data row answers at its second filled cell, not after all of them.
  const cells = row.cells;
  for (let i = 1; i < cells.length; i++) if (filled(cells[i])) return false;
  return true;
}

/**
 * Whether a row with only its first cell filled, right under the data, starts the notes: it
 * opens as notes do (`Source:`, `ໝາຍເຫດ`), or in a table of three columns or more it is a
 * sentence, far longer than a row label. Either way it is held, and becomes data again if data
 * rows follow it.
 */
function noteOpening(text: string, width: number): boolean {
  if (noteStart.test(text)) return true;
  const trimmed = text.trim();
  // Length in UTF-16 units, not code points: spreading a cell of megabytes into an array of
  // characters would cost more than the whole row; Lao is one unit a character anyway.
  return width >= 3 && trimmed.length >= sentenceChars && /\s/u.test(trimmed);
}

async function* body(
  head: SourceRow[],
  more: AsyncIterator<SourceRow[]> | undefined,
  names: string[],
  report: ReportCollector,
  options: { shortRowsAreErrors: boolean; below: { rows: number } },
): AsyncIterable<SourceRow[]> {
  const { shortRowsAreErrors, below } = options;
  const width = names.length;
  let held: SourceRow[] = [];
  let holding = false;

  const shape = (row: SourceRow): SourceRow => {
    const cells = row.cells;
    if (cells.length === width) return row;
    if (cells.length < width) {
      for (let i = cells.length; shortRowsAreErrors && i < width; i++) {
        report.error({
          code: 'missing-cell',
          rowNumber: row.rowNumber,
          fieldNumber: i + 1,
          fieldName: names[i],
          message: `row ${row.rowNumber} has no cell for column ${names[i]}`,
        });
      }
      return { rowNumber: row.rowNumber, cells: padded(cells, width) };
    }
    for (let i = width; i < cells.length; i++) {
      if (!filled(cells[i])) continue;
      report.error({
        code: 'extra-cell',
        rowNumber: row.rowNumber,
        fieldNumber: i + 1,
        cell: cells[i],
        message: `row ${row.rowNumber} has a value beyond the last column (field ${i + 1}); it was dropped`,
      });
    }
    return { rowNumber: row.rowNumber, cells: cells.slice(0, width) };
  };

  // Held rows turned out to be data: blank ones are reported and dropped, the rest kept.
  const release = (out: SourceRow[]): void => {
    for (const row of held) {
      if (widthOf(row) === 0) blank(row);
      else out.push(shape(row));
    }
    held = [];
    holding = false;
  };
  const blank = (row: SourceRow): void =>
    report.error({
      code: 'blank-row',
      rowNumber: row.rowNumber,
      message: `row ${row.rowNumber} is blank`,
    });

  const take = (batch: SourceRow[]): SourceRow[] => {
    const out: SourceRow[] = [];
    for (const row of batch) {
      const isBlank = widthOf(row) === 0;
      if (holding) {
        if (isBlank || noteLike(row, width)) {
          held.push(row);
          if (held.length > maxHeldRows) release(out);
          continue;
        }
        release(out);
      }
      if (isBlank || (noteLike(row, width) && noteOpening(row.cells[0] ?? '', width))) {
        holding = true;
        held.push(row);
        continue;
      }
      out.push(shape(row));
    }
    return out;
  };

  const first = take(head);
  if (first.length > 0) yield first;
  while (more !== undefined) {
    const next = await more.next();
    if (next.done) break;
    const out = take(next.value);
    if (out.length > 0) yield out;
  }
  below.rows = held.length;
  const notes = held.filter((row) => widthOf(row) > 0);
  if (notes.length > 0) {
    report.decide({
      topic: 'notes-below',
      value: notes.map((row) => row.cells[0]?.trim() ?? '').join(' | '),
      reason:
        notes.length === 1
          ? `row ${notes[0]!.rowNumber} follows the last data row with only its first cell filled: read as a note, not data`
          : `rows ${notes.map((row) => row.rowNumber).join(', ')} follow the last data row with only their first cell filled: read as notes, not data`,
    });
  } else if (held.length > 0) {
    report.decide({
      topic: 'trailing-blank-rows',
      value: String(held.length),
      reason: `${held.length} blank row${held.length > 1 ? 's' : ''} after the last data row dropped`,
    });
  }
}

/**
 * Clean column names: trimmed, whitespace collapsed, NFC, blank ones named `column_N`,
 * duplicates (case-insensitive) suffixed `_2`, `_3`; Lao text kept as written.
 */
export function cleanNames(labels: string[], rowNumber: number, report: ReportCollector): string[] {
  const cleaned = labels.map((label) => label.normalize('NFC').replace(/\s+/gu, ' ').trim());
  const taken = new Set(cleaned.filter((name) => name !== '').map((name) => name.toLowerCase()));
  const used = new Set<string>();
  return cleaned.map((name, i) => {
    if (name === '') {
      let blankName = `column_${i + 1}`;
      for (let n = 2; taken.has(blankName.toLowerCase()); n++) blankName = `column_${i + 1}_${n}`;
      taken.add(blankName.toLowerCase());
      used.add(blankName.toLowerCase());
      report.error({
        code: 'blank-label',
        rowNumber,
        fieldNumber: i + 1,
        fieldName: blankName,
        message: `column ${i + 1} has no label; named ${blankName}`,
      });
      return blankName;
    }
    if (!used.has(name.toLowerCase())) {
      used.add(name.toLowerCase());
      return name;
    }
    let n = 2;
    while (taken.has(`${name}_${n}`.toLowerCase())) n++;
    const unique = `${name}_${n}`;
    taken.add(unique.toLowerCase());
    used.add(unique.toLowerCase());
    report.error({
      code: 'duplicate-label',
      rowNumber,
      fieldNumber: i + 1,
      fieldName: unique,
      cell: labels[i],
      message: `column ${i + 1} repeats the label ${name}; named ${unique}`,
    });
    return unique;
  });
}
