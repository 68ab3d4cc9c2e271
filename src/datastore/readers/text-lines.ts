import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { pipeline, type Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { checkEncoding, type ReadProgress } from '../source.js';

/**
 * The file's text in decoded chunks; `encoding` is an iconv-lite name, UTF-8 by default.
 * `progress`, when given, opens the file and so counts the bytes read.
 */
export function decodedChunks(
  file: string,
  encoding = 'utf-8',
  progress?: ReadProgress,
): Readable & AsyncIterable<string> {
  checkEncoding(encoding);
  // iconv-lite strips a leading byte-order mark, so the first field never starts with U+FEFF.
  // pipeline() carries a read error (a missing file) to whoever iterates the decoded text.
  const decoded = pipeline(
    progress?.open(file) ?? createReadStream(file),
    iconv.decodeStream(encoding),
    () => undefined,
  );
  return decoded as unknown as Readable & AsyncIterable<string>;
}

/** Lines of a text file with their 1-based physical line numbers (CRLF or LF). */
export async function* numberedLines(
  file: string,
  encoding?: string,
  progress?: ReadProgress,
): AsyncGenerator<{ line: string; lineNumber: number }> {
  const lines = createInterface({
    input: decodedChunks(file, encoding, progress),
    crlfDelay: Infinity,
  });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber += 1;
    yield { line, lineNumber };
  }
}
