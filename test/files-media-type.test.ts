import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { detectMediaType, mediaTypeHeadBytes } from '../src/files/index.js';

interface ZipEntry {
  name: string;
  data: string | Buffer;
  /** Deflate the entry, as Office and LibreOffice do for XML parts. */
  deflate?: boolean;
  /** Sizes in a data descriptor after the data (bit 3), as streaming writers do. */
  streamed?: boolean;
}

/** A real, minimal zip: local headers, data, central directory and end record. */
function zip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const raw = Buffer.from(entry.data);
    const data = entry.deflate ? deflateRawSync(raw) : raw;
    const name = Buffer.from(entry.name, 'utf8');
    const crc = crc32(raw);
    const flags = 0x0800 | (entry.streamed ? 0x0008 : 0);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(entry.deflate ? 8 : 0, 8);
    local.writeUInt32LE(entry.streamed ? 0 : crc, 14);
    local.writeUInt32LE(entry.streamed ? 0 : data.length, 18);
    local.writeUInt32LE(entry.streamed ? 0 : raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    const descriptor = Buffer.alloc(entry.streamed ? 16 : 0);
    if (entry.streamed) {
      descriptor.writeUInt32LE(0x08074b50, 0);
      descriptor.writeUInt32LE(crc, 4);
      descriptor.writeUInt32LE(data.length, 8);
      descriptor.writeUInt32LE(raw.length, 12);
    }
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(entry.deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    const record = Buffer.concat([local, name, data, descriptor]);
    locals.push(record);
    centrals.push(Buffer.concat([central, name]));
    offset += record.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

function contentTypes(mainPart: string): ZipEntry {
  return {
    name: '[Content_Types].xml',
    deflate: true,
    data:
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
      '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
      '<Default Extension="xml" ContentType="application/xml"/>' +
      `<Override PartName="/main.xml" ContentType="${mainPart}"/></Types>`,
  };
}

const sheetMain = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml';
const xlsxType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function utf16(text: string, order: 'le' | 'be', bom = true): Buffer {
  const little = Buffer.from((bom ? '\ufeff' : '') + text, 'utf16le');
  return order === 'le' ? little : Buffer.from(little).swap16();
}

const laoCsv = 'ແຂວງ,ປີ,ປະຊາກອນ\nນະຄອນຫຼວງວຽງຈັນ,2015,820940\nຫຼວງພະບາງ,2015,431889\n';
const featureCollection = JSON.stringify({
  type: 'FeatureCollection',
  features: [
    {
      type: 'Feature',
      properties: { name: 'ວຽງຈັນ' },
      geometry: { type: 'Point', coordinates: [102.6, 17.97] },
    },
  ],
});
const ole2 = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(504)]);

const cases: Array<{
  what: string;
  bytes: Buffer;
  name?: string;
  mediaType: string;
  format: string;
  charset?: string;
}> = [
  {
    what: 'a PDF named .csv is a PDF',
    bytes: Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n', 'latin1'),
    name: 'population.csv',
    mediaType: 'application/pdf',
    format: 'PDF',
  },
  {
    what: 'PNG',
    bytes: Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'),
    name: 'map.jpg',
    mediaType: 'image/png',
    format: 'PNG',
  },
  {
    what: 'JPEG',
    bytes: Buffer.from('ffd8ffe000104a464946', 'hex'),
    mediaType: 'image/jpeg',
    format: 'JPEG',
  },
  {
    what: 'GIF',
    bytes: Buffer.from('GIF89a\x01\x00\x01\x00'),
    mediaType: 'image/gif',
    format: 'GIF',
  },
  {
    what: 'WebP',
    bytes: Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')]),
    mediaType: 'image/webp',
    format: 'WEBP',
  },
  {
    what: 'a RIFF that is not WebP (WAV) is not an image',
    bytes: Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WAVEfmt ')]),
    mediaType: 'application/octet-stream',
    format: 'BIN',
  },
  {
    what: 'gzip, even of a CSV named .csv',
    bytes: gzipSync(Buffer.from(laoCsv)),
    name: 'data.csv',
    mediaType: 'application/gzip',
    format: 'GZIP',
  },
  {
    what: 'Parquet',
    bytes: Buffer.concat([Buffer.from('PAR1'), Buffer.from('15001500', 'hex')]),
    mediaType: 'application/vnd.apache.parquet',
    format: 'PARQUET',
  },
  {
    what: 'XLSX by its [Content_Types].xml',
    bytes: zip([
      contentTypes(sheetMain),
      { name: '_rels/.rels', data: '<Relationships/>', deflate: true },
      { name: 'xl/workbook.xml', data: '<workbook/>', deflate: true },
    ]),
    name: 'upload.bin',
    mediaType: xlsxType,
    format: 'XLSX',
  },
  {
    what: 'XLSX from a streaming writer (sizes after the data)',
    bytes: zip([
      { ...contentTypes(sheetMain), streamed: true },
      { name: 'xl/workbook.xml', data: '<workbook/>', deflate: true, streamed: true },
    ]),
    mediaType: xlsxType,
    format: 'XLSX',
  },
  {
    what: 'XLSX whose [Content_Types].xml comes last, by its xl/ entries',
    bytes: zip([
      { name: 'xl/workbook.xml', data: '<workbook/>', deflate: true },
      { name: 'xl/worksheets/sheet1.xml', data: '<worksheet/>', deflate: true },
      contentTypes(sheetMain),
    ]),
    mediaType: xlsxType,
    format: 'XLSX',
  },
  {
    what: 'XLSM (macro-enabled)',
    bytes: zip([
      contentTypes('application/vnd.ms-excel.sheet.macroEnabled.main+xml'),
      { name: 'xl/vbaProject.bin', data: Buffer.alloc(64) },
    ]),
    mediaType: 'application/vnd.ms-excel.sheet.macroEnabled.12',
    format: 'XLSM',
  },
  {
    what: 'DOCX',
    bytes: zip([
      contentTypes(
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml',
      ),
      { name: 'word/document.xml', data: '<document/>', deflate: true },
    ]),
    mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    format: 'DOCX',
  },
  {
    what: 'PPTX by its ppt/ entries',
    bytes: zip([{ name: 'ppt/presentation.xml', data: '<presentation/>', deflate: true }]),
    mediaType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    format: 'PPTX',
  },
  {
    what: 'ODS by its mimetype entry',
    bytes: zip([
      { name: 'mimetype', data: 'application/vnd.oasis.opendocument.spreadsheet' },
      { name: 'content.xml', data: '<office:document-content/>', deflate: true },
    ]),
    name: 'table.xlsx',
    mediaType: 'application/vnd.oasis.opendocument.spreadsheet',
    format: 'ODS',
  },
  {
    what: 'ODT',
    bytes: zip([{ name: 'mimetype', data: 'application/vnd.oasis.opendocument.text' }]),
    mediaType: 'application/vnd.oasis.opendocument.text',
    format: 'ODT',
  },
  {
    what: 'a zipped shapefile is a ZIP, whatever its name',
    bytes: zip([
      { name: 'provinces.shp', data: Buffer.alloc(100, 1), deflate: true },
      { name: 'provinces.shx', data: Buffer.alloc(50, 2), deflate: true },
      { name: 'provinces.dbf', data: Buffer.alloc(80, 3), deflate: true },
      { name: 'provinces.prj', data: 'GEOGCS["WGS 84"]' },
    ]),
    name: 'provinces.xlsx',
    mediaType: 'application/zip',
    format: 'ZIP',
  },
  {
    what: 'OLE2 named .xls is an Excel 97 workbook',
    bytes: ole2,
    name: 'ສະຖິຕິ.XLS',
    mediaType: 'application/vnd.ms-excel',
    format: 'XLS',
  },
  {
    what: 'OLE2 with another name is just OLE storage',
    bytes: ole2,
    name: 'data.csv',
    mediaType: 'application/x-ole-storage',
    format: 'OLE',
  },
  {
    what: 'Lao CSV in UTF-8',
    bytes: Buffer.from(laoCsv),
    name: 'ສະຖິຕິ ປະຊາກອນ 2015.csv',
    mediaType: 'text/csv',
    format: 'CSV',
    charset: 'utf-8',
  },
  {
    what: 'CSV whose fields a database export padded with NUL bytes',
    bytes: Buffer.from('pcode,name\nLA01\0\0\0,ນະຄອນຫຼວງວຽງຈັນ\0\0\nLA02\0\0\0,ຜົ້ງສາລີ\0\0\n'),
    name: 'export.csv',
    mediaType: 'text/csv',
    format: 'CSV',
    charset: 'utf-8',
  },
  {
    what: 'CSV with a UTF-8 BOM, and commas inside quotes',
    bytes: Buffer.from(
      '\ufeffname,place\n"Khamla","Vientiane, Lao PDR"\n"Noy","Pakse, Champasak"\n',
    ),
    mediaType: 'text/csv',
    format: 'CSV',
    charset: 'utf-8',
  },
  {
    what: 'CSV in UTF-16 LE with a BOM',
    bytes: utf16(laoCsv, 'le'),
    name: 'export.txt',
    mediaType: 'text/csv',
    format: 'CSV',
    charset: 'utf-16le',
  },
  {
    what: 'TSV in UTF-16 BE with a BOM',
    bytes: utf16('ແຂວງ\tປີ\nວຽງຈັນ\t2015\nຫຼວງພະບາງ\t2015\n', 'be'),
    mediaType: 'text/tab-separated-values',
    format: 'TSV',
    charset: 'utf-16be',
  },
  {
    what: 'TSV in UTF-16 LE without a BOM (Excel "Unicode text") named .csv',
    bytes: utf16(
      'province\tyear\tpeople\nVientiane\t2015\t820940\nPakse\t2015\t88332\n',
      'le',
      false,
    ),
    name: 'export.csv',
    mediaType: 'text/tab-separated-values',
    format: 'TSV',
    charset: 'utf-16le',
  },
  {
    what: 'TSV with commas in its values',
    bytes: Buffer.from('name\tnote\nA\tone, two\nB\tthree, four\n'),
    mediaType: 'text/tab-separated-values',
    format: 'TSV',
    charset: 'utf-8',
  },
  {
    what: 'semicolon-separated values are CSV',
    bytes: Buffer.from('a;b;c\n1;2;3\n4;5;6\n'),
    mediaType: 'text/csv',
    format: 'CSV',
    charset: 'utf-8',
  },
  {
    what: 'Windows-1252 CSV is CSV of unknown charset',
    bytes: Buffer.from('caf\xe9,prix\nnoir,1\ncr\xe8me,2\n', 'latin1'),
    mediaType: 'text/csv',
    format: 'CSV',
  },
  {
    what: 'a one-column CSV reads as text; the .csv name settles it',
    bytes: Buffer.from('province\nVientiane\nPakse\n'),
    name: 'provinces.csv',
    mediaType: 'text/csv',
    format: 'CSV',
    charset: 'utf-8',
  },
  {
    what: 'prose is plain text',
    bytes: Buffer.from(
      'This file lists the sources.\nSome lines have commas, some do not.\nEnd.\n',
    ),
    mediaType: 'text/plain',
    format: 'TEXT',
    charset: 'utf-8',
  },
  {
    what: 'a name cannot turn text into a PDF',
    bytes: Buffer.from('just some words\n'),
    name: 'report.pdf',
    mediaType: 'text/plain',
    format: 'TEXT',
    charset: 'utf-8',
  },
  {
    what: 'GeoJSON FeatureCollection',
    bytes: Buffer.from(featureCollection),
    name: 'points.json',
    mediaType: 'application/geo+json',
    format: 'GEOJSON',
    charset: 'utf-8',
  },
  {
    what: 'GeoJSON longer than the head',
    bytes: Buffer.from(
      `{\n  "type": "FeatureCollection",\n  "features": [\n    {"type": "Feature", "geometry": `,
    ),
    mediaType: 'application/geo+json',
    format: 'GEOJSON',
    charset: 'utf-8',
  },
  {
    what: 'JSON that merely has a "features" key',
    bytes: Buffer.from('{"features": ["search", "export"], "version": 2}'),
    mediaType: 'application/json',
    format: 'JSON',
    charset: 'utf-8',
  },
  {
    what: 'a cut-off JSON whose name says GeoJSON',
    bytes: Buffer.from('{"features": [{"geometry": {"type": "Polygon", "coordinates": [[[102.1,'),
    name: 'districts.geojson',
    mediaType: 'application/geo+json',
    format: 'GEOJSON',
    charset: 'utf-8',
  },
  {
    what: 'a JSON array',
    bytes: Buffer.from('[{"province": "ວຽງຈັນ", "people": 820940}]'),
    mediaType: 'application/json',
    format: 'JSON',
    charset: 'utf-8',
  },
  {
    what: 'NDJSON',
    bytes: Buffer.from('{"id": 1, "name": "ວຽງຈັນ"}\n{"id": 2, "name": "ປາກເຊ"}\n'),
    mediaType: 'application/x-ndjson',
    format: 'NDJSON',
    charset: 'utf-8',
  },
  {
    what: 'NDJSON cut in its last line',
    bytes: Buffer.from('{"id": 1}\n{"id": 2}\n{"id": 3, "na'),
    mediaType: 'application/x-ndjson',
    format: 'NDJSON',
    charset: 'utf-8',
  },
  {
    what: 'pretty-printed JSON is not NDJSON',
    bytes: Buffer.from('{\n  "a": 1,\n  "b": [\n    2\n  ]\n}\n'),
    mediaType: 'application/json',
    format: 'JSON',
    charset: 'utf-8',
  },
  {
    what: 'XML',
    bytes: Buffer.from('<?xml version="1.0"?>\n<!-- exported -->\n<dataset><row a="1"/></dataset>'),
    mediaType: 'application/xml',
    format: 'XML',
    charset: 'utf-8',
  },
  {
    what: 'KML',
    bytes: Buffer.from(
      '<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document/></kml>',
    ),
    mediaType: 'application/vnd.google-earth.kml+xml',
    format: 'KML',
    charset: 'utf-8',
  },
  {
    what: 'HTML named .csv',
    bytes: Buffer.from('<!DOCTYPE html>\n<html><body><script>alert(1)</script></body></html>'),
    name: 'data.csv',
    mediaType: 'text/html',
    format: 'HTML',
    charset: 'utf-8',
  },
  {
    what: 'random bytes',
    bytes: Buffer.from('00ff10fe8001027f00', 'hex'),
    name: 'data.csv',
    mediaType: 'application/octet-stream',
    format: 'BIN',
  },
  { what: 'nothing', bytes: Buffer.alloc(0), mediaType: 'application/octet-stream', format: 'BIN' },
];

describe('media type detection', () => {
  for (const expected of cases) {
    it(expected.what, () => {
      const detected = detectMediaType(expected.bytes, expected.name);
      assert.deepEqual(detected, {
        mediaType: expected.mediaType,
        format: expected.format,
        ...(expected.charset !== undefined && { charset: expected.charset }),
      });
    });
  }

  it('judges a large CSV by the head alone, even when the head ends mid-character', () => {
    const row = 'ນະຄອນຫຼວງວຽງຈັນ,2015,820940,"ຂໍ້ມູນ, ສະຖິຕິ"\n';
    const file = Buffer.from('ແຂວງ,ປີ,ປະຊາກອນ,ໝາຍເຫດ\n' + row.repeat(5000));
    // Lao letters take three bytes in UTF-8; find a cut that splits one.
    let cut = mediaTypeHeadBytes;
    while ((file[cut] ?? 0) >> 6 !== 0b10) cut -= 1;
    const detected = detectMediaType(file.subarray(0, cut), 'big.csv');
    assert.deepEqual(detected, { mediaType: 'text/csv', format: 'CSV', charset: 'utf-8' });
  });
});
