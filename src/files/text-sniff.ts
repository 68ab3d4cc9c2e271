/**
 * Is the head of a file text, in which encoding, and what kind of text? Only the structure is
 * judged here; turning legacy encodings into UTF-8 is the datastore's ingest step.
 */
export type TextCharset = 'utf-8' | 'utf-16le' | 'utf-16be';

export interface DecodedHead {
  text: string;
  /** Undefined for 8-bit text that is not UTF-8 (Windows-1252, legacy Lao fonts, ...). */
  charset: TextCharset | undefined;
}

export type TextKind =
  'csv' | 'tsv' | 'text' | 'json' | 'geojson' | 'ndjson' | 'xml' | 'html' | 'kml' | 'svg';

/** Decodes the head as text, or returns undefined when it looks binary. */
export function decodeTextHead(head: Buffer): DecodedHead | undefined {
  if (head.length === 0) return undefined;
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) {
    return { text: utf8(head.subarray(3)), charset: 'utf-8' };
  }
  if (head[0] === 0xff && head[1] === 0xfe) return utf16(head.subarray(2), 'utf-16le');
  if (head[0] === 0xfe && head[1] === 0xff) return utf16(head.subarray(2), 'utf-16be');
  const bomless = utf16WithoutBom(head);
  if (bomless) return utf16(head, bomless);
  let decoded: DecodedHead;
  try {
    // `stream: true` lets a character cut in half at the end of the head pass as valid.
    const text = new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    decoded = { text, charset: 'utf-8' };
  } catch {
    decoded = { text: head.toString('latin1'), charset: undefined };
  }
  return looksBinary(decoded.text) ? undefined : decoded;
}

function utf8(bytes: Buffer): string {
  return new TextDecoder('utf-8').decode(bytes, { stream: true });
}

function utf16(bytes: Buffer, charset: 'utf-16le' | 'utf-16be'): DecodedHead | undefined {
  const even = bytes.subarray(0, bytes.length - (bytes.length % 2));
  // Node decodes only little-endian UTF-16 everywhere (ICU-less builds too): swap big-endian.
  const little = charset === 'utf-16be' ? Buffer.from(even).swap16() : even;
  const text = little.toString('utf16le');
  return looksBinary(text) ? undefined : { text, charset };
}

/** Excel's "Unicode text" and some exporters write UTF-16 with no BOM: ASCII then alternates with NULs. */
function utf16WithoutBom(head: Buffer): 'utf-16le' | 'utf-16be' | undefined {
  const pairs = Math.min(head.length, 4096) >> 1;
  if (pairs < 4) return undefined;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < pairs * 2; i += 2) {
    if (head[i] === 0) evenZeros += 1;
    if (head[i + 1] === 0) oddZeros += 1;
  }
  if (oddZeros > pairs * 0.4 && evenZeros < pairs * 0.05) return 'utf-16le';
  if (evenZeros > pairs * 0.4 && oddZeros < pairs * 0.05) return 'utf-16be';
  return undefined;
}

/**
 * Text has almost no control characters besides tab, line breaks, form feed and escape. NUL bytes
 * may pad the fields of a database export (the ingest removes them), so they count only when
 * they are a quarter of the head or more: the characters between them must still read as text.
 */
function looksBinary(text: string): boolean {
  let controls = 0;
  let nuls = 0;
  let length = 0;
  for (const char of text) {
    length += 1;
    const code = char.codePointAt(0) ?? 0;
    if (code === 0) nuls += 1;
    else if ((code < 0x20 && ![9, 10, 12, 13, 26, 27].includes(code)) || code === 0xfffd)
      controls += 1;
  }
  return nuls * 4 >= length || controls > Math.max(1, (length - nuls) * 0.01);
}

/** The kind of text from its first characters: markup, JSON family, delimited or plain. */
export function sniffTextKind(text: string): TextKind {
  const trimmed = text.replace(/^[\s\uFEFF]+/, '');
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return sniffJson(trimmed);
  if (trimmed.startsWith('<')) return sniffMarkup(trimmed) ?? 'text';
  return sniffDelimited(text);
}

function sniffJson(text: string): TextKind {
  const whole = parseJson(text);
  if (whole !== undefined) return isGeoJson(whole) ? 'geojson' : 'json';
  // One JSON value per line; the last line may be cut off by the end of the head.
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const complete = lines.slice(0, -1);
  if (
    complete.length > 0 &&
    complete.every((line) => {
      const value = parseJson(line);
      return typeof value === 'object' && value !== null;
    })
  ) {
    return 'ndjson';
  }
  // A document longer than the head: judge by what is visible.
  return /"type"\s*:\s*"(?:FeatureCollection|Feature)"/.test(text.slice(0, 4096))
    ? 'geojson'
    : 'json';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isGeoJson(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const type = (value as { type?: unknown }).type;
  return type === 'FeatureCollection' || type === 'Feature';
}

const prolog = /^(?:<\?[\s\S]*?\?>\s*|<!--[\s\S]*?-->\s*)*(<!DOCTYPE\s+([A-Za-z]+)[^>]*>\s*)?/i;

function sniffMarkup(text: string): TextKind | undefined {
  const head = prolog.exec(text);
  const doctype = head?.[2]?.toLowerCase();
  const rest = text.slice(head?.[0].length ?? 0).replace(/^(?:<!--[\s\S]*?-->\s*)*/, '');
  const root = /^<([A-Za-z_][\w.:-]*)/.exec(rest)?.[1]?.toLowerCase();
  if (doctype === 'html' || root === 'html') return 'html';
  if (root === undefined) return text.startsWith('<?xml') ? 'xml' : undefined;
  const local = root.includes(':') ? root.slice(root.indexOf(':') + 1) : root;
  if (local === 'kml') return 'kml';
  if (local === 'svg') return 'svg';
  return 'xml';
}

const delimiters = [',', '\t', ';', '|'] as const;

/**
 * CSV, TSV or plain text, by how steadily each delimiter repeats per record: a table has the
 * same count on (nearly) every line, prose does not. Quotes are honoured so that a comma inside
 * "Vientiane, Lao PDR" does not count.
 */
function sniffDelimited(text: string): TextKind {
  let best: { delimiter: string; columns: number } | undefined;
  for (const delimiter of delimiters) {
    const counts = delimiterCounts(text, delimiter);
    const columns = steadyCount(counts);
    if (columns > 0 && (best === undefined || columns > best.columns)) {
      best = { delimiter, columns };
    }
  }
  if (best === undefined) return 'text';
  return best.delimiter === '\t' ? 'tsv' : 'csv';
}

/** Delimiters per record for up to 50 records, leaving out a last record the head may have cut. */
function delimiterCounts(text: string, delimiter: string): number[] {
  const counts: number[] = [];
  let count = 0;
  let quoted = false;
  let recordHasContent = false;
  for (let i = 0; i < text.length && counts.length < 50; i += 1) {
    const char = text[i];
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) {
      if (recordHasContent) counts.push(count);
      count = 0;
      recordHasContent = false;
      continue;
    } else if (!quoted && char === delimiter) count += 1;
    recordHasContent = true;
  }
  // A head of a single line (no line break at all) is all we have: judge it alone.
  if (counts.length === 0 && recordHasContent) counts.push(count);
  return counts;
}

/** The per-record count shared by at least 80% of the records, or 0 when there is none. */
function steadyCount(counts: number[]): number {
  if (counts.length === 0) return 0;
  const frequency = new Map<number, number>();
  for (const count of counts) frequency.set(count, (frequency.get(count) ?? 0) + 1);
  let [mode, times] = [0, 0];
  for (const [count, seen] of frequency) {
    if (seen > times || (seen === times && count > mode)) [mode, times] = [count, seen];
  }
  return times >= counts.length * 0.8 ? mode : 0;
}
