import { decodeTextHead, sniffTextKind, type TextCharset, type TextKind } from './text-sniff.js';
import { zipEntriesInHead, zipEntryText } from './zip-entries.js';

export interface DetectedMediaType {
  mediaType: string;
  /** Short upper-case label shown to users and stored with the resource: CSV, XLSX, PDF, ... */
  format: string;
  /** For text: the encoding found (a BOM, or valid UTF-8); undefined for other 8-bit text. */
  charset?: TextCharset;
}

/** How many leading bytes `detectMediaType` wants to see; more is ignored, less may misjudge. */
export const mediaTypeHeadBytes = 64 * 1024;

const octetStream: DetectedMediaType = { mediaType: 'application/octet-stream', format: 'BIN' };

/**
 * The media type of a file from its first bytes. The name is never trusted for the kind of
 * content (a PDF named `.csv` is a PDF); it only settles what the bytes leave open, such as
 * a one-column CSV that reads as plain text, or which OLE2 document an old Office file is.
 *
 * @example
 *   detectMediaType(Buffer.from('a,b\n1,2\n'), 'x.csv') // { mediaType: 'text/csv', format: 'CSV', charset: 'utf-8' }
 */
export function detectMediaType(head: Buffer, filename?: string): DetectedMediaType {
  const extension = extensionOf(filename);
  return detectBinary(head, extension) ?? detectText(head, extension) ?? octetStream;
}

function type(mediaType: string, format: string): DetectedMediaType {
  return { mediaType, format };
}

const magic: Array<{ bytes: Buffer; offset?: number; type: DetectedMediaType }> = [
  { bytes: Buffer.from('%PDF-'), type: type('application/pdf', 'PDF') },
  { bytes: Buffer.from('89504e470d0a1a0a', 'hex'), type: type('image/png', 'PNG') },
  { bytes: Buffer.from('ffd8ff', 'hex'), type: type('image/jpeg', 'JPEG') },
  { bytes: Buffer.from('GIF87a'), type: type('image/gif', 'GIF') },
  { bytes: Buffer.from('GIF89a'), type: type('image/gif', 'GIF') },
  { bytes: Buffer.from('WEBP'), offset: 8, type: type('image/webp', 'WEBP') },
  { bytes: Buffer.from('1f8b', 'hex'), type: type('application/gzip', 'GZIP') },
  { bytes: Buffer.from('PAR1'), type: type('application/vnd.apache.parquet', 'PARQUET') },
  { bytes: Buffer.from('49492a00', 'hex'), type: type('image/tiff', 'TIFF') },
  { bytes: Buffer.from('4d4d002a', 'hex'), type: type('image/tiff', 'TIFF') },
];

const zipMagic = [Buffer.from('504b0304', 'hex'), Buffer.from('504b0506', 'hex')];
const oleMagic = Buffer.from('d0cf11e0a1b11ae1', 'hex');

function startsWith(head: Buffer, bytes: Buffer, offset = 0): boolean {
  return (
    head.length >= offset + bytes.length &&
    head.subarray(offset, offset + bytes.length).equals(bytes)
  );
}

function detectBinary(head: Buffer, extension: string): DetectedMediaType | undefined {
  for (const signature of magic) {
    // WebP is a RIFF container: "RIFF" <size> "WEBP".
    if (signature.offset === 8 && !startsWith(head, Buffer.from('RIFF'))) continue;
    if (startsWith(head, signature.bytes, signature.offset)) return signature.type;
  }
  if (zipMagic.some((bytes) => startsWith(head, bytes))) return detectZip(head);
  if (startsWith(head, oleMagic))
    return oleTypes[extension] ?? type('application/x-ole-storage', 'OLE');
  return undefined;
}

/**
 * OLE2 compound files all look alike at the start; the directory that tells them apart is deep
 * inside. Excel saves a password-protected XLSX as one: it stays an XLSX, so that its ingest
 * can tell the publisher to remove the password.
 */
const oleTypes: Record<string, DetectedMediaType> = {
  xls: type('application/vnd.ms-excel', 'XLS'),
  xlsx: type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'XLSX'),
  xlsm: type('application/vnd.ms-excel.sheet.macroEnabled.12', 'XLSM'),
  doc: type('application/msword', 'DOC'),
  ppt: type('application/vnd.ms-powerpoint', 'PPT'),
};

const odfTypes: Record<string, DetectedMediaType> = {
  'application/vnd.oasis.opendocument.spreadsheet': type(
    'application/vnd.oasis.opendocument.spreadsheet',
    'ODS',
  ),
  'application/vnd.oasis.opendocument.text': type('application/vnd.oasis.opendocument.text', 'ODT'),
  'application/vnd.oasis.opendocument.presentation': type(
    'application/vnd.oasis.opendocument.presentation',
    'ODP',
  ),
};

const xlsx = type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'XLSX');
const xlsm = type('application/vnd.ms-excel.sheet.macroEnabled.12', 'XLSM');
const docx = type(
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'DOCX',
);
const pptx = type(
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'PPTX',
);

/** The main part's content type in [Content_Types].xml names the document kind; macro-enabled first. */
const ooxmlMainParts: Array<[string, DetectedMediaType]> = [
  ['application/vnd.ms-excel.sheet.macroEnabled.main+xml', xlsm],
  ['spreadsheetml.sheet.main+xml', xlsx],
  ['wordprocessingml.document.main+xml', docx],
  ['presentationml.presentation.main+xml', pptx],
];

function detectZip(head: Buffer): DetectedMediaType {
  const entries = zipEntriesInHead(head);
  const first = entries[0];
  // ODF requires an uncompressed `mimetype` entry first, exactly so that it can be sniffed.
  if (first?.name === 'mimetype') {
    const declared = zipEntryText(first)?.trim() ?? '';
    const odf = odfTypes[declared];
    if (odf) return odf;
  }
  const contentTypes = entries.find((entry) => entry.name === '[Content_Types].xml');
  const xml = contentTypes && zipEntryText(contentTypes);
  if (xml) {
    const found = ooxmlMainParts.find(([marker]) => xml.includes(marker));
    if (found) return found[1];
  }
  // Writers that put [Content_Types].xml last still show their folders early.
  const names = entries.map((entry) => entry.name);
  if (names.some((name) => name.startsWith('xl/'))) {
    return names.includes('xl/vbaProject.bin') ? xlsm : xlsx;
  }
  if (names.some((name) => name.startsWith('word/'))) return docx;
  if (names.some((name) => name.startsWith('ppt/'))) return pptx;
  if (first?.name === 'doc.kml') return type('application/vnd.google-earth.kmz', 'KMZ');
  return type('application/zip', 'ZIP');
}

const textTypes: Record<TextKind, DetectedMediaType> = {
  csv: type('text/csv', 'CSV'),
  tsv: type('text/tab-separated-values', 'TSV'),
  text: type('text/plain', 'TEXT'),
  json: type('application/json', 'JSON'),
  geojson: type('application/geo+json', 'GEOJSON'),
  ndjson: type('application/x-ndjson', 'NDJSON'),
  xml: type('application/xml', 'XML'),
  html: type('text/html', 'HTML'),
  kml: type('application/vnd.google-earth.kml+xml', 'KML'),
  svg: type('image/svg+xml', 'SVG'),
};

/**
 * Where the name may settle what the content leaves open: a one-column CSV reads as plain text,
 * and a GeoJSON whose "type" comes after a long "features" array reads as plain JSON.
 */
const nameRefinements: Partial<Record<TextKind, Record<string, TextKind>>> = {
  text: { csv: 'csv', tsv: 'tsv', tab: 'tsv' },
  json: { geojson: 'geojson', ndjson: 'ndjson', jsonl: 'ndjson' },
};

function detectText(head: Buffer, extension: string): DetectedMediaType | undefined {
  const decoded = decodeTextHead(head);
  if (!decoded) return undefined;
  const sniffed = sniffTextKind(decoded.text);
  const kind = nameRefinements[sniffed]?.[extension] ?? sniffed;
  return {
    ...textTypes[kind],
    ...(decoded.charset !== undefined && { charset: decoded.charset }),
  };
}

function extensionOf(filename: string | undefined): string {
  const match = /\.([A-Za-z0-9]+)$/.exec(filename ?? '');
  return match?.[1]?.toLowerCase() ?? '';
}

/** Types served with a `charset` parameter: text itself, and the JSON and XML families. */
export function isTextMediaType(mediaType: string): boolean {
  const bare = mediaType.split(';')[0]?.trim().toLowerCase() ?? '';
  return (
    bare.startsWith('text/') ||
    /^application\/(?:json|geo\+json|x-ndjson|xml|[\w.-]+\+(?:json|xml))$/.test(bare) ||
    bare === 'image/svg+xml'
  );
}
