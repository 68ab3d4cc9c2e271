import Papa from 'papaparse';
import { Invalid } from '../../lib/errors.js';
import { encodingError, type ReportCollector } from '../report.js';
import {
  ReadProgress,
  type FixedWidthLayout,
  type ReadOptions,
  type SourceRow,
  type TableSource,
} from '../source.js';
import { numberedLines } from './text-lines.js';

const batchSize = 500;

/**
 * Opens a fixed-width text file cut by `options.fixedWidth`. The first row yielded holds the field
 * names (`rowNumber` 0: it comes from the layout, not the file); data rows carry their line number.
 *
 * Positions count Unicode code points, not UTF-16 code units nor grapheme clusters. Lao vowel and
 * tone marks are code points of their own (ນ້ຳ is three), and that is how the fixed-width files of
 * Lao systems were laid out: in the legacy single-byte encodings each mark is one byte, which
 * decodes to one code point, so byte-based layouts stay valid after decoding. Counting graphemes
 * would fold marks into their consonant and shift every later field.
 *
 * @example const source = await openFixedWidth('/tmp/census.txt', { fixedWidth: layout, encoding: 'cp1133' });
 */
export async function openFixedWidth(file: string, options: ReadOptions): Promise<TableSource> {
  const layout = options.fixedWidth;
  if (layout === undefined || layout.fields.length === 0) {
    throw new Invalid(
      'fixedWidth',
      'a fixed-width file needs its layout: the name, start and width of each field',
    );
  }
  checkLayout(layout);
  const progress = new ReadProgress();
  return {
    format: 'fixed-width',
    sheets: [],
    rows: (report) => readLines(file, options.encoding, layout, report, progress),
    bytesRead: progress.bytesRead,
  };
}

async function* readLines(
  file: string,
  encoding: string | undefined,
  layout: FixedWidthLayout,
  report: ReportCollector,
  progress: ReadProgress,
): AsyncGenerator<SourceRow[]> {
  const skip = layout.skipLines ?? 0;
  const end = Math.max(...layout.fields.map((field) => field.start - 1 + field.width));
  let batch: SourceRow[] = [{ rowNumber: 0, cells: layout.fields.map((field) => field.name) }];
  let longLines = 0;
  let nulBytes = 0;
  for await (const numbered of numberedLines(file, encoding, progress)) {
    const { lineNumber } = numbered;
    if (lineNumber <= skip) continue;
    let line = numbered.line;
    if (line.includes('\0')) {
      // Fixed-length records pad their fields with NUL: read as blanks, the positions hold.
      nulBytes += line.split('\0').length - 1;
      line = line.replaceAll('\0', ' ');
    }
    if (line.includes('\uFFFD')) report.error(encodingError(lineNumber, line, encoding ?? 'utf-8'));
    const points = Array.from(line);
    if (points.length > end && points.slice(end).join('').trim() !== '') {
      longLines += 1;
      report.error({
        code: 'extra-cell',
        rowNumber: lineNumber,
        cell: points.slice(end).join(''),
        message: `line ${lineNumber} has text after the last field of the layout (position ${end + 1} on)`,
      });
    }
    const cells = layout.fields.map((field) =>
      points
        .slice(field.start - 1, field.start - 1 + field.width)
        .join('')
        .trim(),
    );
    batch.push({ rowNumber: lineNumber, cells: cells.every((cell) => cell === '') ? [] : cells });
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
  if (nulBytes > 0) {
    report.decide({
      topic: 'nul-bytes',
      value: String(nulBytes),
      reason: `read ${nulBytes} NUL characters as blanks, which keeps every field at its position`,
    });
  }
  report.decide({
    topic: 'fixed-width-layout',
    value: layout.fields.map((field) => `${field.name}:${field.start}+${field.width}`).join(' '),
    reason: `cut by the given layout, counting characters (code points)${skip > 0 ? `, after skipping ${skip} line(s)` : ''}${longLines > 0 ? `; ${longLines} line(s) were longer than the layout` : ''}`,
  });
}

function checkLayout(layout: FixedWidthLayout): void {
  const seen = new Set<string>();
  for (const field of layout.fields) {
    if (field.name.trim() === '')
      throw new Invalid('fixedWidth', 'every field of the layout needs a name');
    if (seen.has(field.name))
      throw new Invalid('fixedWidth', `the layout names the field "${field.name}" twice`);
    seen.add(field.name);
    if (
      !Number.isInteger(field.start) ||
      field.start < 1 ||
      !Number.isInteger(field.width) ||
      field.width < 1
    ) {
      throw new Invalid(
        'fixedWidth',
        `field "${field.name}": start and width must be whole numbers from 1`,
      );
    }
  }
  if (
    layout.skipLines !== undefined &&
    (!Number.isInteger(layout.skipLines) || layout.skipLines < 0)
  ) {
    throw new Invalid('fixedWidth', 'skipLines must be a whole number from 0');
  }
}

/**
 * Reads a layout file: CSV `name,start,width` lines (a header line is optional), or JSON
 * `{"fields": [{"name", "start", "width"}], "skipLines"?}` as Frictionless-style tools write.
 *
 * @example parseFixedWidthLayout('name,start,width\npcode,1,4\nname_lo,5,30')
 */
export function parseFixedWidthLayout(text: string): FixedWidthLayout {
  const source = text.replace(/^\uFEFF/, '');
  const layout = source.trim().startsWith('{')
    ? layoutFromJson(source.trim())
    : layoutFromCsv(source);
  if (layout.fields.length === 0)
    throw new Invalid('fixedWidth', 'the layout file lists no fields');
  checkLayout(layout);
  return layout;
}

function layoutFromJson(source: string): FixedWidthLayout {
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch (error) {
    throw new Invalid(
      'fixedWidth',
      `the layout file is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const { fields, skipLines } = (parsed ?? {}) as { fields?: unknown; skipLines?: unknown };
  if (!Array.isArray(fields))
    throw new Invalid('fixedWidth', 'the JSON layout needs a "fields" array');
  const layout: FixedWidthLayout = {
    fields: fields.map((field: unknown, index) => {
      const { name, start, width } = (field ?? {}) as {
        name?: unknown;
        start?: unknown;
        width?: unknown;
      };
      if (typeof name !== 'string' || typeof start !== 'number' || typeof width !== 'number') {
        throw new Invalid(
          'fixedWidth',
          `field ${index + 1} of the layout needs a name, a start and a width`,
        );
      }
      return { name, start, width };
    }),
  };
  if (typeof skipLines === 'number') layout.skipLines = skipLines;
  return layout;
}

function layoutFromCsv(source: string): FixedWidthLayout {
  // Errors name the line of the file as an editor shows it: blank lines and the header count.
  const rows: Array<{ cells: string[]; line: number }> = [];
  let cursor = 0;
  Papa.parse<string[]>(source, {
    skipEmptyLines: 'greedy',
    step: (result) => {
      // Blank lines skipped before the row hold only white space: its first line has the first
      // character that is not.
      const start = cursor + Math.max(0, source.slice(cursor).search(/\S/));
      rows.push({
        cells: result.data.map((cell) => cell.trim()),
        line: lineAt(source, start),
      });
      cursor = result.meta.cursor;
    },
  });
  const isNumber = (cell: string | undefined): boolean => cell !== undefined && /^\d+$/.test(cell);
  // A first line whose start and width are not numbers is the header.
  const first = rows[0]?.cells;
  const body = first && !(isNumber(first[1]) && isNumber(first[2])) ? rows.slice(1) : rows;
  return {
    fields: body.map(({ cells, line }) => {
      const [name, start, width] = cells;
      if (name === undefined || !isNumber(start) || !isNumber(width)) {
        throw new Invalid('fixedWidth', `line ${line} of the layout must read name,start,width`);
      }
      return { name, start: Number(start), width: Number(width) };
    }),
  };
}

/** The 1-based line of `text` that character `index` is on. */
function lineAt(text: string, index: number): number {
  let line = 1;
  for (let at = text.indexOf('\n'); at !== -1 && at < index; at = text.indexOf('\n', at + 1))
    line += 1;
  return line;
}
