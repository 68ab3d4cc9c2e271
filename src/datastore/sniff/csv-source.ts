import { createReadStream } from 'node:fs';
import iconv from 'iconv-lite';
import { UnreadableSource } from '../readers/errors.js';
import { readHead } from '../read-head.js';
import type { ReportCollector } from '../report.js';
import {
  checkEncoding,
  isUtf8,
  type InPlaceDialect,
  type ReadOptions,
  type SourceRow,
  type TableSource,
} from '../source.js';
import { ChunkDecoder } from './decode.js';
import { DelimitedParser } from './delimited-parser.js';
import { detectDialect } from './dialect.js';
import { detectEncoding } from './encoding.js';

const headBytes = 1024 * 1024;
/** A batch closes at this many rows or cells, whichever comes first (wide files: fewer rows). */
const batchRows = 1000;
const batchCells = 200_000;
const lineFeed = 10;

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
  checkEncoding(sniffed.encoding);
  const dialect = detectDialect(iconv.decode(head, sniffed.encoding).replace(/\r\n?/g, '\n'));
  // Shared by every rows() call: it is about the read under way (or the last one).
  const progress: ReadState = { bytes: 0, complete: false };
  return {
    format: 'csv',
    sheets: [],
    rows: (report) => {
      progress.bytes = 0;
      progress.complete = false;
      return readRows(file, head.length, sniffed, dialect, report, progress);
    },
    bytesRead: () => progress.bytes,
    // Known before the read: DuckDB reads UTF-8 only. Without it, the rows are spooled as
    // they are read rather than read a second time to spool them.
    inPlace: isUtf8(sniffed.encoding) ? () => inPlaceDialect(dialect, progress) : undefined,
  };
}

interface ReadState {
  bytes: number;
  /** The read reached the end of the file. */
  complete: boolean;
  decoder?: ChunkDecoder;
  /** DelimitedParser.longestLongRecordBytes, once the read is complete. */
  longestLineBytes?: number;
}

/**
 * DuckDB reads UTF-8 with one kind of line break, as this parser does; NUL bytes (removed here)
 * and lone CRs (line breaks here) it would read otherwise.
 */
function inPlaceDialect(
  dialect: { delimiter: string; quote: string },
  state: ReadState,
): InPlaceDialect | undefined {
  const decoder = state.decoder;
  if (!state.complete || !decoder) return undefined;
  const { crlf, lf, cr } = decoder.lineEndings;
  if (decoder.nulCount > 0 || cr > 0 || (crlf > 0 && lf > 0)) return undefined;
  // DuckDB finds the line break itself (told `new_line`, it misreads skipped lines).
  return {
    delimiter: dialect.delimiter,
    quote: dialect.quote,
    longestLineBytes: state.longestLineBytes ?? 0,
  };
}

async function* readRows(
  file: string,
  size: number,
  encoding: { encoding: string; reason: string },
  dialect: { delimiter: string; quote: string; reason: string },
  report: ReportCollector,
  progress: ReadState,
): AsyncIterable<SourceRow[]> {
  if (size === 0) {
    report.error({ code: 'source-error', message: 'the file is empty' });
    return;
  }
  report.decide({ topic: 'encoding', value: encoding.encoding, reason: encoding.reason });
  report.decide({ topic: 'delimiter', value: dialect.delimiter, reason: dialect.reason });
  report.decide({ topic: 'quote', value: dialect.quote, reason: dialect.reason });
  const parser = new DelimitedParser(dialect, (problem) => report.error(problem));
  const decoder = new ChunkDecoder(encoding.encoding, report);
  progress.decoder = decoder;
  const stream = createReadStream(file, { highWaterMark: headBytes });
  const bytes = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let ended = false;
  // The bytes after the last LF of the previous read. Chunks cut after a LF end with a whole
  // line, so the parser carries no unfinished record over and parses each chunk as the flat
  // string the decoder made: joined to such a record, a chunk was a cons string, on which
  // every charCodeAt costs V8 a detour (the parse took 1.5–1.8 s instead of 0.6–1.0 s for
  // 1M rows). The decoder streams, so any cut decodes to the same text.
  let carry: Buffer | undefined;
  /** The next non-empty text chunk, or undefined once the input has ended. */
  const next = async (): Promise<string | undefined> => {
    while (!ended) {
      const read = await bytes.next();
      let text: string;
      if (read.done === true) {
        ended = true;
        text = carry === undefined ? decoder.end() : decoder.write(carry) + decoder.end();
        carry = undefined;
        decoder.finish();
      } else {
        progress.bytes += read.value.length;
        let chunk = carry === undefined ? read.value : Buffer.concat([carry, read.value]);
        const cut = chunk.lastIndexOf(lineFeed) + 1;
        carry = undefined;
        // No LF at all (one long line, lone CRs): the chunk goes as it is.
        if (cut > 0 && cut < chunk.length) {
          carry = Buffer.from(chunk.subarray(cut));
          chunk = chunk.subarray(0, cut);
        }
        text = decoder.write(chunk);
      }
      if (text.length > 0) return text;
    }
    return undefined;
  };
  let batch: SourceRow[] = [];
  let cells = 0;
  try {
    // One chunk of look-ahead so that the last one is parsed with `final` set; the encoding
    // errors of the chunk ahead are thus reported before the parser's problems in this one.
    let current = await next();
    while (current !== undefined) {
      const following = await next();
      const rows = parser.push(current, following === undefined);
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i] as SourceRow;
        batch.push(row);
        cells += row.cells.length;
        if (batch.length >= batchRows || cells >= batchCells) {
          yield batch;
          batch = [];
          cells = 0;
        }
      }
      // Half a file loaded as if it were the whole would lose the rest without a word.
      if (parser.stopReason !== undefined)
        throw new UnreadableSource(
          `This file cannot be read to its end: ${parser.stopReason}. Nothing was loaded.`,
        );
      current = following;
    }
    progress.complete = current === undefined;
    progress.longestLineBytes = parser.longestLongRecordBytes;
    if (batch.length > 0) yield batch;
  } finally {
    stream.destroy();
  }
}
