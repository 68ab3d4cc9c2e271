import { createReadStream } from 'node:fs';
import iconv from 'iconv-lite';
import { readHead } from '../read-head.js';
import type { ReportCollector } from '../report.js';
import type { ReadOptions, SourceRow, TableSource } from '../source.js';
import { decodeToText } from './decode.js';
import { DelimitedParser } from './delimited-parser.js';
import { detectDialect } from './dialect.js';
import { detectEncoding } from './encoding.js';

const headBytes = 1024 * 1024;
/** A batch closes at this many rows or cells, whichever comes first (wide files: fewer rows). */
const batchRows = 1000;
const batchCells = 200_000;

/**
 * Opens a delimited text file (CSV, TSV, pipe, semicolon…): sniffs encoding and dialect from the
 * first MiB, then streams the whole file as batches of rows. `rows()` records the decisions
 * (`encoding`, `delimiter`, `quote`, `line-endings`, `nul-bytes`) and problems in the report.
 *
 * @example const source = await openDelimitedText('/tmp/upload.csv', {});
 */
export async function openDelimitedText(file: string, options: ReadOptions): Promise<TableSource> {
  const head = await readHead(file, headBytes);
  const sniffed = options.encoding
    ? { encoding: options.encoding, reason: 'given by the publisher' }
    : detectEncoding(head);
  if (!iconv.encodingExists(sniffed.encoding)) {
    throw new Error(`unknown encoding ${sniffed.encoding}`);
  }
  const dialect = detectDialect(iconv.decode(head, sniffed.encoding).replace(/\r\n?/g, '\n'));
  return {
    format: 'csv',
    sheets: [],
    rows: (report) => readRows(file, head.length, sniffed, dialect, report),
  };
}

async function* readRows(
  file: string,
  size: number,
  encoding: { encoding: string; reason: string },
  dialect: { delimiter: string; quote: string; reason: string },
  report: ReportCollector,
): AsyncIterable<SourceRow[]> {
  if (size === 0) {
    report.error({ code: 'source-error', message: 'the file is empty' });
    return;
  }
  report.decide({ topic: 'encoding', value: encoding.encoding, reason: encoding.reason });
  report.decide({ topic: 'delimiter', value: dialect.delimiter, reason: dialect.reason });
  report.decide({ topic: 'quote', value: dialect.quote, reason: dialect.reason });
  const parser = new DelimitedParser(dialect, (problem) => report.error(problem));
  const stream = createReadStream(file, { highWaterMark: headBytes });
  let batch: SourceRow[] = [];
  let cells = 0;
  try {
    const chunks = decodeToText(stream, encoding.encoding, report)[Symbol.asyncIterator]();
    // One chunk of look-ahead so that the last one is parsed with `final` set.
    let current = await chunks.next();
    while (current.done !== true) {
      const following = await chunks.next();
      for (const row of parser.push(current.value, following.done === true)) {
        batch.push(row);
        cells += row.cells.length;
        if (batch.length >= batchRows || cells >= batchCells) {
          yield batch;
          batch = [];
          cells = 0;
        }
      }
      if (parser.stopped) {
        await chunks.return?.(undefined);
        break;
      }
      current = following;
    }
    if (batch.length > 0) yield batch;
  } finally {
    stream.destroy();
  }
}
