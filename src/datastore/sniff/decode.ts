import { isAscii } from 'node:buffer';
import type { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { wellFormed } from '../../lib/text.js';
import { encodingError, type ReportCollector } from '../report.js';
import { isUtf8 } from '../source.js';

/** Counts of the line endings found while decoding. */
export interface LineEndings {
  crlf: number;
  cr: number;
  lf: number;
}

interface Decoder {
  write(bytes: Buffer): string;
  end(): string;
}

/**
 * UTF-8 goes through the built-in TextDecoder, about twice as fast as iconv-lite's StringDecoder
 * on Lao text; both write U+FFFD for the same invalid sequences, chunk splits included (a BOM
 * is ChunkDecoder's to strip). Every other encoding goes through iconv-lite.
 *
 * A chunk of ASCII only is read as Latin-1 instead: TextDecoder makes every string two bytes a
 * character, ASCII included, which doubled the memory of every cell of an English or numeric
 * file (a 20 MiB cell held 40 MiB). It does so unless the decoder may hold the start of a
 * character from the chunk before.
 */
function decoderFor(encoding: string): Decoder {
  if (isUtf8(encoding)) {
    const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
    let mayHoldPart = false;
    return {
      write: (bytes) => {
        if (!mayHoldPart && isAscii(bytes)) return bytes.toString('latin1');
        mayHoldPart = bytes.length > 0 && bytes[bytes.length - 1]! >= 0x80;
        return decoder.decode(bytes, { stream: true });
      },
      end: () => decoder.decode(),
    };
  }
  const decoder = iconv.getDecoder(encoding);
  // UTF-16 with half of a surrogate pair (the other half lost) decodes to a lone surrogate: it
  // becomes U+FFFD, reported as undecodable bytes are. A high surrogate that ends a chunk waits
  // for the low one that may begin the next.
  let high = '';
  const whole = (text: string, final: boolean): string => {
    let out = high + text;
    high = '';
    const last = out.charCodeAt(out.length - 1);
    if (!final && last >= 0xd800 && last <= 0xdbff) {
      high = out.slice(-1);
      out = out.slice(0, -1);
    }
    return wellFormed(out);
  };
  return {
    write: (bytes) => whole(decoder.write(bytes), false),
    end: () => whole(decoder.end() ?? '', true),
  };
}

/**
 * Decodes bytes to text chunks that keep their line endings (`\r\n`, `\r` or `\n`, left to the
 * parser so that no pass copies every chunk to rewrite them): strips a BOM, removes NUL bytes,
 * counts the line endings and reports undecodable bytes as `encoding-error` on their line.
 * `finish()` records the decisions (`nul-bytes`, `line-endings`) once the input has ended.
 */
export class ChunkDecoder {
  readonly #decoder: Decoder;
  readonly #encoding: string;
  readonly #report: ReportCollector;
  readonly #endings: LineEndings = { crlf: 0, cr: 0, lf: 0 };
  #first = true;
  /** The previous chunk ended with CR: a LF starting this one completes a CRLF. */
  #afterCr = false;
  /** 1-based line at the start of the next chunk. */
  #line = 1;
  #lastBadLine = 0;
  #nul = 0;

  constructor(encoding: string, report: ReportCollector) {
    this.#decoder = decoderFor(encoding);
    this.#encoding = encoding;
    this.#report = report;
  }

  /** NUL characters removed so far. */
  get nulCount(): number {
    return this.#nul;
  }

  /** Line endings counted so far. */
  get lineEndings(): Readonly<LineEndings> {
    return this.#endings;
  }

  write(bytes: Buffer): string {
    return this.#clean(this.#decoder.write(bytes));
  }

  end(): string {
    return this.#clean(this.#decoder.end());
  }

  finish(): void {
    const nul = this.#nul;
    if (nul > 0) {
      this.#report.decide({
        topic: 'nul-bytes',
        value: String(nul),
        reason: `removed ${nul} NUL characters, which never belong in text`,
      });
    }
    const endings = this.#endings;
    const found = (['crlf', 'lf', 'cr'] as const).filter((kind) => endings[kind] > 0);
    this.#report.decide({
      topic: 'line-endings',
      value: found.length === 0 ? 'none' : found.join('+'),
      reason:
        found.length === 0
          ? 'no line break: a single line'
          : `${found.map((kind) => `${endings[kind]} ${kind.toUpperCase()}`).join(', ')}; all read as line breaks`,
    });
  }

  #clean(raw: string): string {
    let text = raw;
    if (this.#first && text.length > 0) {
      this.#first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (text.length === 0) return text;
    if (text.includes('\0')) {
      const before = text.length;
      text = text.replace(/\0+/g, '');
      this.#nul += before - text.length;
      if (text.length === 0) return text;
    }
    // The LF completing a CRLF split between chunks was counted as a lone CR with the last one.
    const skip = this.#afterCr && text.charCodeAt(0) === 10 ? 1 : 0;
    if (skip === 1) {
      this.#endings.cr--;
      this.#endings.crlf++;
    }
    const lf = countOf(text, '\n', skip);
    let crlf = 0;
    let cr = 0;
    if (text.includes('\r')) {
      cr = countOf(text, '\r');
      crlf = countOf(text, '\r\n');
    }
    this.#endings.crlf += crlf;
    this.#endings.cr += cr - crlf;
    this.#endings.lf += lf - crlf;
    if (text.includes('\uFFFD')) this.#reportReplacements(text, skip);
    this.#line += lf + cr - crlf;
    this.#afterCr = text.charCodeAt(text.length - 1) === 13;
    return text;
  }

  // U+FFFD is what the decoders write for bytes they cannot decode; one error per line is enough.
  #reportReplacements(text: string, from: number): void {
    let line = this.#line;
    let scanned = from;
    for (let at = text.indexOf('\uFFFD'); at >= 0; at = text.indexOf('\uFFFD', at + 1)) {
      line += lineBreaks(text, scanned, at);
      scanned = at;
      if (line === this.#lastBadLine) continue;
      this.#lastBadLine = line;
      const start = Math.max(text.lastIndexOf('\n', at), text.lastIndexOf('\r', at)) + 1;
      const end = lineEnd(text, at);
      this.#report.error(encodingError(line, text.slice(start, end), this.#encoding));
    }
  }
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
  const decoder = new ChunkDecoder(encoding, report);
  let heldCr = false;
  const normalise = (raw: string, final: boolean): string => {
    let text = heldCr ? `\r${raw}` : raw;
    heldCr = false;
    // A CR at the very end may be the first half of a CRLF split between chunks.
    if (!final && text.endsWith('\r')) {
      text = text.slice(0, -1);
      heldCr = true;
    }
    return text.includes('\r') ? text.replaceAll('\r\n', '\n').replaceAll('\r', '\n') : text;
  };
  for await (const chunk of input as AsyncIterable<Buffer>) {
    const text = normalise(decoder.write(chunk), false);
    if (text.length > 0) yield text;
  }
  const rest = normalise(decoder.end(), true);
  if (rest.length > 0) yield rest;
  decoder.finish();
}

/** Line breaks (CRLF, lone CR, LF) that start in `text` between `from` and `to`. */
export function lineBreaks(text: string, from = 0, to = text.length): number {
  const lf = countOf(text, '\n', from, to);
  if (!text.includes('\r', from)) return lf;
  let breaks = lf;
  for (let at = text.indexOf('\r', from); at >= 0 && at < to; at = text.indexOf('\r', at + 1)) {
    // A CRLF is one break, counted at its LF when that lies before `to`.
    if (text.charCodeAt(at + 1) !== 10 || at + 1 >= to) breaks++;
  }
  return breaks;
}

/** Where the line holding `at` ends: its CR or LF, or the end of the text. */
function lineEnd(text: string, at: number): number {
  const lf = text.indexOf('\n', at);
  const cr = text.indexOf('\r', at);
  const end = lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
  return end < 0 ? text.length : end;
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
