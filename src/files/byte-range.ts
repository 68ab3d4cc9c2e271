import type { ByteRange } from './blob-store.js';

/**
 * Reads a `Range` header for a file of `size` bytes. Returns undefined when the whole file should
 * be sent: no header, a syntax we do not follow, or several ranges (RFC 9110 lets a server ignore
 * Range, and multipart/byteranges answers are rarely worth their cost). Returns 'unsatisfiable'
 * when the range starts past the end, which must be answered with 416.
 *
 * @example
 *   parseRangeHeader('bytes=-500', 1000) // { start: 500, end: 999 }
 */
export function parseRangeHeader(
  header: string | undefined,
  size: number,
): ByteRange | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  return { start, end };
}
