import { createReadStream, type ReadStream } from 'node:fs';
import iconv from 'iconv-lite';
import { Invalid } from '../lib/errors.js';
import { UnreadableSource } from './readers/errors.js';
import type { ReportCollector } from './report.js';

/**
 * What every format reader yields: rows of cell text, before the table is located (title rows,
 * header, notes) and before types are inferred. Spreadsheet cells that already carry a type are
 * written canonically: numbers as JavaScript writes them (`6492228.5`, full precision), dates and
 * times as ISO 8601 (`2024-03-01`, `2024-03-01T08:30:00`), booleans as `true`/`false`, empty
 * cells as `''`.
 */
export interface SourceRow {
  /** 1-based row number in the source: the physical line of its first field for text files. */
  rowNumber: number;
  cells: string[];
}

/** Options a publisher (or the CLI) may give; everything else is sniffed. */
export interface ReadOptions {
  /** iconv-lite name, e.g. `windows-1252`, `cp1133`; skips encoding detection. */
  encoding?: string;
  /** Sheet to read, by 0-based index or by name; default: the first non-empty sheet not hidden. */
  sheet?: number | string;
  /** Column layout of a fixed-width text file. */
  fixedWidth?: FixedWidthLayout;
}

export interface FixedWidthLayout {
  /** Columns in order: name and 1-based start position (inclusive), width in characters. */
  fields: Array<{ name: string; start: number; width: number }>;
  /** Lines to skip before the data (titles); the header comes from the layout. */
  skipLines?: number;
}

/** An opened source: facts learnt while opening, then its rows in batches. */
export interface TableSource {
  /** `csv`, `xlsx`, `xls`, `ods`, `json`, `ndjson`, `geojson`, `fixed-width`. */
  format: string;
  /** Every sheet of a workbook, in order, with whether it holds any cell; empty for text. */
  sheets: Array<{ name: string; empty: boolean }>;
  /** Batches of rows in source order; the reader records what it decided in the report. */
  rows(report: ReportCollector): AsyncIterable<SourceRow[]>;
  /** Bytes of the file read so far, for progress; absent when the reader cannot tell. */
  bytesRead?(): number;
  /**
   * How DuckDB can read the same file in place, for a delimited UTF-8 file whose last full read
   * met nothing DuckDB reads differently (NUL bytes, lone CR or mixed line breaks); undefined
   * otherwise. Asked after `rows()` has run to the end.
   */
  inPlace?(): InPlaceDialect | undefined;
}

/** The dialect of a delimited file as DuckDB's `read_csv` takes it. */
export interface InPlaceDialect {
  delimiter: string;
  /** `''` when the file uses no quoting. */
  quote: string;
  /** Bytes of the longest line when it is over 512 KiB (a cell of megabytes), else 0. */
  longestLineBytes: number;
}

/**
 * Refuses a text encoding iconv-lite does not know. Checked before an ingest is queued, and by
 * the readers as a typed error, so that a wrong name is told at once and never tried again.
 */
export function checkEncoding(name: string): void {
  const known = iconv.encodingExists(name) && !notTextEncodings.has(codecName(name));
  if (!known)
    throw new Invalid(
      'encoding',
      `unknown text encoding "${name}"; names such as utf-8, utf-16le, windows-1252, tis-620, cp1133, big5 or gb18030 are known`,
    );
}

/**
 * Names iconv-lite knows that are not how a file's text is written: byte-to-text schemes
 * (base64 and hex made a valid report of an empty table out of an ordinary CSV) and CESU-8,
 * whose decoder does not hand back text.
 */
const notTextEncodings = new Set(['base64', 'hex', 'cesu8']);

/** iconv-lite's own spelling of an encoding's name: `Base-64` and `base64` are one codec. */
const codecName = (name: string): string => name.toLowerCase().replace(/[^0-9a-z]/g, '');

/** iconv-lite spells UTF-8 several ways (`utf8`, `UTF-8`, `unicode-1-1-utf-8`); CESU-8 is not it. */
export const isUtf8 = (name: string): boolean =>
  ['utf8', 'unicode11utf8'].includes(codecName(name));

/**
 * Refuses to read as UTF-16 a file with no zero byte in its first bytes: in UTF-16 every line
 * break, delimiter and digit has one, and a UTF-8 file read so became one column named with
 * 50 KB of CJK characters, and no rows.
 */
export function checkUtf16(name: string, head: Buffer): void {
  if (!/^(utf16|ucs2)/.test(codecName(name)) || head.length < 16 || head.includes(0)) return;
  throw new UnreadableSource(
    `The file is not UTF-16 (${name}), as the ingest was told: UTF-16 writes every line break and delimiter with a zero byte, and its first ${head.length} bytes have none. Leave the encoding to be detected, or name the right one.`,
  );
}

/**
 * How far a source's latest read of its file has got, in bytes, for `TableSource.bytesRead`:
 * the readers open the file through it.
 */
export class ReadProgress {
  #stream: ReadStream | undefined;
  #counted = 0;

  open(file: string): ReadStream {
    this.#counted = 0;
    this.#stream = createReadStream(file);
    return this.#stream;
  }

  /** A new read that counts its own bytes (`count`), not through one stream of the file. */
  restart(): void {
    this.#stream = undefined;
    this.#counted = 0;
  }

  readonly count = (bytes: number): void => {
    this.#counted += bytes;
  };

  readonly bytesRead = (): number => (this.#stream?.bytesRead ?? 0) + this.#counted;
}
