import iconv from 'iconv-lite';
import { detectEncoding } from './encoding.js';

export type FileFormat =
  | 'csv'
  | 'xlsx'
  | 'xlsx-encrypted'
  | 'xls'
  | 'ods'
  | 'json'
  | 'ndjson'
  | 'geojson'
  | 'parquet'
  | 'unknown';

export interface DetectedFormat {
  format: FileFormat;
  reason: string;
}

const byExtension: Record<string, FileFormat> = {
  csv: 'csv',
  tsv: 'csv',
  txt: 'csv',
  xlsx: 'xlsx',
  xlsm: 'xlsx',
  xls: 'xls',
  ods: 'ods',
  json: 'json',
  ndjson: 'ndjson',
  jsonl: 'ndjson',
  geojson: 'geojson',
  parquet: 'parquet',
};

const cfbMagic = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

/**
 * Tells the format of a file from its first bytes (a few KiB; more helps with zip and OLE
 * directories). The file name only breaks ties, because uploads are often misnamed.
 *
 * @example detectFormat(head, 'budget.csv') // { format: 'xlsx', reason: 'zip with xl/ entries …' }
 */
export function detectFormat(
  head: Buffer,
  fileName?: string,
  /** The publisher's encoding, when given: text is judged in it. */
  encoding?: string,
): DetectedFormat {
  const named = nameFormat(fileName);
  if (head.length === 0) {
    return named === undefined
      ? { format: 'unknown', reason: 'the file is empty' }
      : { format: named, reason: `the file is empty; the name says ${named}` };
  }
  const latin = head.toString('latin1');
  if (latin.startsWith('PK\x03\x04')) return zipFormat(latin, named);
  if (head.subarray(0, 8).equals(cfbMagic)) return oleFormat(head, named);
  if (latin.startsWith('PAR1'))
    return { format: 'parquet', reason: 'starts with the Parquet magic PAR1' };
  return textFormat(head, named, encoding);
}

function nameFormat(fileName: string | undefined): FileFormat | undefined {
  const extension = /\.([a-z0-9]+)$/i.exec(fileName ?? '')?.[1]?.toLowerCase();
  return extension === undefined ? undefined : byExtension[extension];
}

function zipFormat(latin: string, named: FileFormat | undefined): DetectedFormat {
  if (latin.includes('mimetypeapplication/vnd.oasis.opendocument.spreadsheet')) {
    return { format: 'ods', reason: 'zip whose mimetype entry is an OpenDocument spreadsheet' };
  }
  if (latin.includes('xl/'))
    return { format: 'xlsx', reason: 'zip with xl/ entries (Office Open XML workbook)' };
  if (latin.includes('content.xml') && named === 'ods') {
    return { format: 'ods', reason: 'zip with content.xml and an .ods name' };
  }
  if (named === 'xlsx' || named === 'ods') {
    return {
      format: named,
      reason: `zip without a recognisable entry in the first bytes; the name says ${named}`,
    };
  }
  return { format: 'unknown', reason: 'a zip archive that holds no spreadsheet' };
}

function oleFormat(head: Buffer, named: FileFormat | undefined): DetectedFormat {
  // Directory entry names in an OLE compound file are UTF-16LE.
  const has = (name: string): boolean => head.includes(Buffer.from(name, 'utf16le'));
  if (has('EncryptedPackage')) {
    return {
      format: 'xlsx-encrypted',
      reason: 'OLE compound file with an EncryptedPackage stream (password-protected workbook)',
    };
  }
  if (has('Workbook') || has('Book'))
    return { format: 'xls', reason: 'OLE compound file with a Workbook stream (Excel 97–2003)' };
  return {
    format: 'xls',
    reason: `OLE compound file (Excel 97–2003 signature)${named === 'xls' ? '; the name says xls' : '; no Workbook stream seen in the first bytes'}`,
  };
}

function textFormat(
  head: Buffer,
  named: FileFormat | undefined,
  given: string | undefined,
): DetectedFormat {
  const encoding =
    given !== undefined && iconv.encodingExists(given) ? given : detectEncoding(head).encoding;
  const text = iconv.decode(head.subarray(0, 64 * 1024), encoding);
  const { controls, nuls } = countControls(text);
  // NUL bytes pad the fields of some database exports: text around them still makes a table
  // (the reader removes them). A quarter NUL or more, or other control bytes, is binary.
  const others = controls - nuls;
  if (text.length === 0 || nuls * 4 >= text.length || others / (text.length - nuls) > 0.05) {
    return {
      format: 'unknown',
      reason: `binary: ${Math.round((100 * controls) / Math.max(1, text.length))}% control or undecodable characters as ${encoding}`,
    };
  }
  const trimmed = text.replace(/^[\uFEFF\s]+/, '');
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    if (/"type"\s*:\s*"FeatureCollection"/.test(trimmed.slice(0, 4096))) {
      return { format: 'geojson', reason: 'JSON with "type": "FeatureCollection"' };
    }
    if (trimmed.startsWith('{') && isNdjson(trimmed, named)) {
      return { format: 'ndjson', reason: 'several lines, each a JSON object' };
    }
    if (named === 'geojson' && /"type"\s*:\s*"Feature/.test(trimmed.slice(0, 4096))) {
      return { format: 'geojson', reason: 'JSON with GeoJSON features and a .geojson name' };
    }
    return { format: 'json', reason: `text starting with ${trimmed[0]}` };
  }
  return { format: 'csv', reason: `text in ${encoding} that is not JSON: read as delimited text` };
}

function isNdjson(text: string, named: FileFormat | undefined): boolean {
  // Only whole lines: the last one may be cut off by the end of the head.
  const lines = text
    .split('\n')
    .slice(0, -1)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .slice(0, 20);
  if (lines.length < 2) return false;
  const objects = lines.map((line) => {
    if (!line.startsWith('{') || !line.endsWith('}')) return false;
    try {
      JSON.parse(line);
      return true;
    } catch {
      return false;
    }
  });
  // A broken line is an error to report, not a reason to read the file as one JSON document;
  // a JSON document spread over lines has a first line that is not a whole object.
  const whole = objects.filter(Boolean).length;
  return objects[0] === true && (named === 'ndjson' || whole >= 0.8 * lines.length);
}

/** Control characters other than tab, LF, FF and CR, plus U+FFFD: never in real text. */
function countControls(text: string): { controls: number; nuls: number } {
  let controls = 0;
  let nuls = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 9 && code !== 10 && code !== 12 && code !== 13) || code === 0xfffd)
      controls++;
    if (code === 0) nuls++;
  }
  return { controls, nuls };
}
