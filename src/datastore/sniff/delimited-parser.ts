import type { SourceRow } from '../source.js';
import { lineBreaks } from './decode.js';

/** Limits that keep one record within bounded memory. */
export const maxColumns = 50_000;
export const maxCellChars = 32 * 1024 * 1024;
/** Records of more characters than this have their UTF-8 length measured (longestLongRecordBytes). */
const measuredRecordChars = 512 * 1024;

export interface ParserProblem {
  code: 'format-error' | 'source-error';
  rowNumber: number;
  fieldNumber?: number;
  message: string;
}

/**
 * A quote-aware splitter for delimited text. Feed it chunks; it returns the complete records and
 * keeps the unfinished one. Line breaks may be CRLF, lone CR or LF (read here rather than
 * rewritten beforehand, which would copy every chunk); line breaks inside quoted values come
 * out as `\n`. Unquoted fields are found with `indexOf` (no per-character JavaScript), which is
 * what makes it several times faster than a char loop.
 */
export class DelimitedParser {
  readonly #delimiter: string;
  readonly #quote: string;
  #rest = '';
  #line = 1;
  /** Offset in #rest where the quote that must be read as a plain character sits. */
  #literalQuoteAt = -1;
  /** Where the search for the closing quote of an unfinished quoted field resumes. */
  #resume = { fieldStart: -1, scanFrom: -1 };
  /** Set once a limit was exceeded: what stopped the parse. */
  #stopReason: string | undefined;
  /**
   * Chunks set aside unparsed, to follow #rest: none of them could end the unfinished record.
   * Joined to #rest at every push instead, a cell of megabytes was copied again for each chunk
   * (quadratic: 210 MiB of strings for a 20 MiB cell).
   */
  #pending: string[] = [];
  #pendingChars = 0;
  #pendingHasQuote = false;
  #longestLongRecordBytes = 0;

  constructor(
    options: { delimiter: string; quote: string },
    private readonly onProblem: (problem: ParserProblem) => void = () => undefined,
  ) {
    this.#delimiter = options.delimiter;
    this.#quote = options.quote;
  }

  /**
   * The limit that stopped the parse and where, e.g. `more than 50000 columns (row 3)`; once set,
   * the rest of the input is ignored.
   */
  get stopReason(): string | undefined {
    return this.#stopReason;
  }

  /**
   * The UTF-8 length in bytes of the longest record (line break included) of over 512 Ki
   * characters, or 0 when there is none; what a reader of the same bytes must take as one line.
   */
  get longestLongRecordBytes(): number {
    return this.#longestLongRecordBytes;
  }

  /** Parses `chunk` (pass `final` with the last one) and returns the records it completed. */
  push(chunk: string, final = false): SourceRow[] {
    if (this.#stopReason !== undefined) return [];
    if (!final && this.#cannotEndRecord(chunk)) {
      this.#pending.push(chunk);
      this.#pendingChars += chunk.length;
      if (!this.#pendingHasQuote && this.#quote !== '' && chunk.includes(this.#quote))
        this.#pendingHasQuote = true;
      return [];
    }
    let text: string;
    if (this.#pending.length > 0) {
      text = [this.#rest, ...this.#pending, chunk].join('');
      this.#pending = [];
      this.#pendingChars = 0;
      this.#pendingHasQuote = false;
    } else text = this.#rest.length === 0 ? chunk : this.#rest + chunk;
    this.#rest = '';
    const rows: SourceRow[] = [];
    const end = this.#parse(text, final, rows);
    this.#rest = end < text.length ? text.slice(end) : '';
    if (end > 0 && this.#literalQuoteAt >= 0) this.#literalQuoteAt -= end;
    if (end > 0 && this.#resume.fieldStart >= 0) {
      this.#resume = {
        fieldStart: this.#resume.fieldStart - end,
        scanFrom: this.#resume.scanFrom - end,
      };
    }
    if (!final && this.#stopReason === undefined && this.#rest.length > maxCellChars) {
      this.#tooLong();
    }
    return rows;
  }

  /**
   * Whether no record can end before the end of `chunk`, read after #rest and the pending
   * chunks: it has no line break, or the unfinished record waits for a quote to close and it has
   * none. Never once the unfinished record is over the cell limit, which #parse then reports.
   */
  #cannotEndRecord(chunk: string): boolean {
    const unread = this.#rest.length + this.#pendingChars;
    if (unread + chunk.length > maxCellChars) return false;
    const inQuote =
      this.#resume.fieldStart >= 0 &&
      this.#resume.scanFrom >= this.#rest.length &&
      !this.#pendingHasQuote;
    if (inQuote && !chunk.includes(this.#quote)) return true;
    return chunk.indexOf('\n') < 0 && chunk.indexOf('\r') < 0;
  }

  /** Returns the offset where the unfinished record starts (or text.length). */
  #parse(text: string, final: boolean, rows: SourceRow[]): number {
    const delimiter = this.#delimiter;
    const quote = this.#quote;
    const quoteCode = quote === '' ? -1 : quote.charCodeAt(0);
    const delimiterCode = delimiter.charCodeAt(0);
    const length = text.length;
    let pos = 0;
    // Next delimiter, LF and CR at or after `pos`; -1 once there is none left in `text`.
    let nextDelimiter = -2;
    let nextNewline = -2;
    let nextCr = -2;
    records: while (pos < length) {
      const recordStart = pos;
      const recordLine = this.#line;
      let line = recordLine;
      const cells: string[] = [];
      for (;;) {
        if (cells.length >= maxColumns) {
          this.#stop('source-error', recordLine, `more than ${maxColumns} columns`);
          return length;
        }
        if (text.charCodeAt(pos) === quoteCode && pos !== this.#literalQuoteAt) {
          let scan = pos + 1;
          if (this.#resume.fieldStart === pos) scan = this.#resume.scanFrom;
          let close = -1;
          let doubled = false;
          for (;;) {
            close = text.indexOf(quote, scan);
            if (close < 0 || (close === length - 1 && !final)) break;
            if (text.charCodeAt(close + 1) !== quoteCode) break;
            doubled = true;
            scan = close + 2;
          }
          if (close < 0 || (close === length - 1 && !final)) {
            if (final) {
              // Unbalanced: report where it opened and read that quote as a plain character.
              this.onProblem({
                code: 'format-error',
                rowNumber: line,
                fieldNumber: cells.length + 1,
                message: `a quote opened on line ${line} is never closed; it was read as a plain character`,
              });
              this.#literalQuoteAt = pos;
              this.#line = recordLine;
              pos = recordStart;
              nextDelimiter = -2;
              nextNewline = -2;
              nextCr = -2;
              continue records;
            }
            this.#resume = { fieldStart: pos, scanFrom: close < 0 ? length : close };
            this.#line = recordLine;
            return recordStart;
          }
          this.#resume = { fieldStart: -1, scanFrom: -1 };
          let value = text.slice(pos + 1, close);
          if (doubled) value = value.replaceAll(quote + quote, quote);
          if (value.includes('\r')) value = value.replace(/\r\n?/g, '\n');
          const opened = line;
          line += countNewlines(value);
          pos = close + 1;
          // Text after the closing quote (`"a"b,`) is kept as part of the value, as spreadsheets do.
          const after = text.charCodeAt(pos);
          if (pos < length && after !== delimiterCode && after !== 10 && after !== 13) {
            // Over several lines and with text after it, the "closing" quote most likely opened
            // a later cell: a quote is missing, and whole rows went into this cell.
            if (line > opened)
              this.onProblem({
                code: 'format-error',
                rowNumber: opened,
                fieldNumber: cells.length + 1,
                message: `the quote opened on line ${opened} seems to close on line ${line}, with text after it: a quote is probably missing, and ${line === opened + 1 ? `line ${line} was` : `lines ${opened + 1}–${line} were`} read into this cell`,
              });
            let stop = findStop(text, pos, delimiter);
            if (stop < 0) {
              if (!final) {
                this.#line = recordLine;
                return recordStart;
              }
              stop = length;
            }
            value += text.slice(pos, stop);
            pos = stop;
          }
          cells.push(value);
        } else {
          if (nextDelimiter < pos && nextDelimiter !== -1)
            nextDelimiter = text.indexOf(delimiter, pos);
          if (nextNewline < pos && nextNewline !== -1) nextNewline = text.indexOf('\n', pos);
          if (nextCr < pos && nextCr !== -1) nextCr = text.indexOf('\r', pos);
          let stop = earliest(nextDelimiter, nextNewline);
          if (nextCr >= 0) stop = earliest(stop, nextCr);
          if (stop < 0) {
            if (!final) {
              this.#line = recordLine;
              return recordStart;
            }
            stop = length;
          }
          cells.push(text.slice(pos, stop));
          pos = stop;
        }
        if (pos >= length) {
          this.#emit(rows, { rowNumber: recordLine, cells }, text, recordStart, pos);
          this.#line = line;
          return length;
        }
        const stopCode = text.charCodeAt(pos);
        if (stopCode === 10 || stopCode === 13) {
          if (stopCode === 13) {
            // A CR at the end of the chunk may be the first half of a CRLF.
            if (pos + 1 >= length && !final) {
              this.#line = recordLine;
              return recordStart;
            }
            if (text.charCodeAt(pos + 1) === 10) pos++;
          }
          pos++;
          line++;
          this.#emit(rows, { rowNumber: recordLine, cells }, text, recordStart, pos);
          this.#line = line;
          break;
        }
        pos++; // the delimiter
        if (pos >= length) {
          if (!final) {
            this.#line = recordLine;
            return recordStart;
          }
          cells.push('');
          this.#emit(rows, { rowNumber: recordLine, cells }, text, recordStart, pos);
          this.#line = line;
          return length;
        }
      }
    }
    return length;
  }

  /** Adds a record, measuring its line when it is long (longestLongRecordBytes). */
  #emit(rows: SourceRow[], row: SourceRow, text: string, start: number, end: number): void {
    rows.push(row);
    if (end - start <= measuredRecordChars) return;
    const bytes = Buffer.byteLength(text.slice(start, end));
    if (bytes > this.#longestLongRecordBytes) this.#longestLongRecordBytes = bytes;
  }

  #tooLong(): void {
    const inQuote = this.#resume.fieldStart >= 0;
    if (inQuote) {
      // A quoted field this long is almost surely an unbalanced quote: recover the rest.
      const at = this.#resume.fieldStart;
      const line = this.#line + lineBreaks(this.#rest, 0, at);
      this.onProblem({
        code: 'format-error',
        rowNumber: line,
        message: `a quote opened on line ${line} does not close within ${maxCellChars} characters; it was read as a plain character`,
      });
      this.#literalQuoteAt = at;
      this.#resume = { fieldStart: -1, scanFrom: -1 };
      return;
    }
    this.#stop('source-error', this.#line, `a line longer than ${maxCellChars} characters`);
  }

  #stop(code: ParserProblem['code'], rowNumber: number, what: string): void {
    this.#stopReason = `${what} (row ${rowNumber})`;
    this.#rest = '';
    this.onProblem({ code, rowNumber, message: `refused: ${what} (row ${rowNumber})` });
  }
}

/** The smaller of two indexOf results, where -1 means not found. */
function earliest(a: number, b: number): number {
  return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

function findStop(text: string, from: number, delimiter: string): number {
  const stop = earliest(text.indexOf(delimiter, from), text.indexOf('\n', from));
  return earliest(stop, text.indexOf('\r', from));
}

function countNewlines(text: string): number {
  let count = 0;
  let at = text.indexOf('\n');
  while (at >= 0) {
    count++;
    at = text.indexOf('\n', at + 1);
  }
  return count;
}
