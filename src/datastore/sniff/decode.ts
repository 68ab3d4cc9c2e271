import type { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import type { ReportCollector } from '../report.js';

/** Counts of the line endings found while decoding. */
export interface LineEndings {
  crlf: number;
  cr: number;
  lf: number;
}

/**
 * Decodes a byte stream to text chunks with `\n` line endings: strips a BOM, removes NUL bytes,
 * turns CRLF and lone CR into LF and reports undecodable bytes as `encoding-error` on their line.
 * Chunks stay about as large as the input chunks, so memory is bounded whatever the file size.
 * Decisions (`nul-bytes`, `line-endings`) are recorded once the input ends.
 *
 * @example for await (const text of decodeToText(createReadStream(path), 'cp1133', report)) …
 */
export async function* decodeToText(
  input: AsyncIterable<Buffer> | Readable,
  encoding: string,
  report: ReportCollector,
): AsyncIterable<string> {
  const decoder = iconv.getDecoder(encoding);
  const state = { first: true, heldCr: false, line: 1, lastBadLine: 0, nul: 0 };
  const endings: LineEndings = { crlf: 0, cr: 0, lf: 0 };

  const clean = (raw: string, final: boolean): string => {
    let text = raw;
    if (state.first && text.length > 0) {
      state.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (state.heldCr) {
      text = `\r${text}`;
      state.heldCr = false;
    }
    // A CR at the very end may be the first half of a CRLF split between chunks.
    if (!final && text.endsWith('\r')) {
      text = text.slice(0, -1);
      state.heldCr = true;
    }
    if (text.includes('\0')) {
      const before = text.length;
      text = text.replace(/\0+/g, '');
      state.nul += before - text.length;
    }
    // Counting by length differences keeps this to one pass per kind of line ending.
    let crlf = 0;
    let cr = 0;
    if (text.includes('\r')) {
      const before = text.length;
      text = text.replaceAll('\r\n', '\n');
      crlf = before - text.length;
      if (text.includes('\r')) {
        cr = countOf(text, '\r');
        text = text.replaceAll('\r', '\n');
      }
    }
    const newlines = countOf(text, '\n');
    endings.crlf += crlf;
    endings.cr += cr;
    endings.lf += newlines - crlf - cr;
    reportReplacements(text);
    state.line += newlines;
    return text;
  };

  // U+FFFD is what iconv-lite writes for bytes it cannot decode; one error per line is enough.
  const reportReplacements = (text: string): void => {
    let at = text.indexOf('\uFFFD');
    if (at < 0) return;
    let line = state.line;
    let scanned = 0;
    while (at >= 0) {
      line += countOf(text, '\n', scanned, at);
      scanned = at;
      if (line !== state.lastBadLine) {
        state.lastBadLine = line;
        const start = text.lastIndexOf('\n', at) + 1;
        const end = text.indexOf('\n', at);
        report.error({
          code: 'encoding-error',
          rowNumber: line,
          cell: text.slice(start, end < 0 ? undefined : end),
          message: `line ${line} has bytes that are not valid ${encoding}; they were replaced by U+FFFD`,
        });
      }
      at = text.indexOf('\uFFFD', at + 1);
    }
  };

  for await (const chunk of input as AsyncIterable<Buffer>) {
    const text = clean(decoder.write(chunk), false);
    if (text.length > 0) yield text;
  }
  const rest = clean(decoder.end() ?? '', true);
  if (rest.length > 0) yield rest;

  if (state.nul > 0) {
    report.decide({
      topic: 'nul-bytes',
      value: String(state.nul),
      reason: `removed ${state.nul} NUL characters, which never belong in text`,
    });
  }
  const found = (['crlf', 'lf', 'cr'] as const).filter((kind) => endings[kind] > 0);
  report.decide({
    topic: 'line-endings',
    value: found.length === 0 ? 'none' : found.join('+'),
    reason:
      found.length === 0
        ? 'no line break: a single line'
        : `${found.map((kind) => `${endings[kind]} ${kind.toUpperCase()}`).join(', ')}; all read as line breaks`,
  });
}

/** Occurrences of `needle` in `text` between `from` and `to`, via indexOf (fast on big chunks). */
export function countOf(text: string, needle: string, from = 0, to = text.length): number {
  let count = 0;
  let at = text.indexOf(needle, from);
  while (at >= 0 && at < to) {
    count++;
    at = text.indexOf(needle, at + needle.length);
  }
  return count;
}
