import { Invalid } from '../../lib/errors.js';
import { encodingError, type ReportCollector } from '../report.js';
import {
  ReadProgress,
  type FixedWidthLayout,
  type ReadOptions,
  type SourceRow,
  type TableSource,
} from '../source.js';
import { checkLayout } from './fixed-width-layout.js';
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
