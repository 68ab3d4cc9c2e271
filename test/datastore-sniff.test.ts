import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { detectDialect, detectEncoding, detectFormat } from '../src/datastore/sniff/index.js';

// Real names (demo/provinces.csv); the population figures are made up for the tests.
const laoCsv =
  'ລະຫັດ,ແຂວງ,ປະຊາກອນ\n' +
  'LA01,ນະຄອນຫຼວງວຽງຈັນ,969000\n' +
  'LA02,ຜົ້ງສາລີ,191000\n' +
  'LA06,ຫຼວງພະບາງ,470000\n' +
  'LA13,ສະຫວັນນະເຂດ,1038000\n' +
  'LA16,ຈຳປາສັກ,752000\n';

describe('detectEncoding', () => {
  it('reads BOMs', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(laoCsv, 'utf16le')]);
    assert.deepEqual(detectEncoding(utf16), {
      encoding: 'utf-16le',
      bom: true,
      reason: 'UTF-16LE byte-order mark',
    });
    const be = Buffer.from([0xfe, 0xff, 0x00, 0x41]);
    assert.equal(detectEncoding(be).encoding, 'utf-16be');
    const utf8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(laoCsv)]);
    assert.deepEqual(detectEncoding(utf8), {
      encoding: 'utf-8',
      bom: true,
      reason: 'UTF-8 byte-order mark',
    });
  });

  it('finds UTF-16LE without a BOM by its NUL bytes', () => {
    const result = detectEncoding(Buffer.from('year,deaths\n2019,120\n2020,131\n', 'utf16le'));
    assert.equal(result.encoding, 'utf-16le');
    assert.equal(result.bom, false);
  });

  it('takes valid UTF-8, even when the head cuts a character in two', () => {
    const bytes = Buffer.from(laoCsv);
    assert.equal(detectEncoding(bytes).encoding, 'utf-8');
    assert.equal(detectEncoding(bytes.subarray(0, 14)).encoding, 'utf-8'); // cuts ແ after 1 byte
    assert.equal(
      detectEncoding(Buffer.from('a,b\n1,2\n')).reason,
      'only ASCII bytes in the first bytes',
    );
  });

  it('finds Big5, GB18030 and Windows-1252 with chardet', () => {
    const chinese =
      '省份,人口\n北京市,21893095\n上海市,24870895\n廣東省,126012510\n台北市,2602418\n';
    assert.equal(detectEncoding(iconv.encode(chinese, 'big5')).encoding, 'big5');
    assert.equal(detectEncoding(iconv.encode(chinese, 'gb18030')).encoding, 'gb18030');
    const french = 'Région,Café,Über\nÎle-de-France,12,3\nNoël,5,€ 4\nRéunion,été,ça\n';
    assert.equal(detectEncoding(iconv.encode(french, 'windows-1252')).encoding, 'windows-1252');
  });

  it('keeps UTF-8 for a UTF-8 file with a line from another encoding', () => {
    const mixed = Buffer.concat([
      Buffer.from(laoCsv),
      iconv.encode('LA99,Café Noël,12\n', 'windows-1252'),
      Buffer.from('LA17,ອັດຕະປື,139000\n'),
    ]);
    const result = detectEncoding(mixed);
    assert.equal(result.encoding, 'utf-8');
    assert.match(result.reason, /^mostly UTF-8: \d+ characters of UTF-8 and 2 bytes that are not/);
    // A short file: three lines of Lao, two pasted from a Windows-1252 file.
    const short = Buffer.concat([
      Buffer.from('ແຂວງ,ນະຄອນ\nວຽງຈັນ,1\n'),
      iconv.encode('café,2\nNoël,3\n', 'windows-1252'),
      Buffer.from('ຫຼວງພະບາງ,4\n'),
    ]);
    assert.equal(detectEncoding(short).encoding, 'utf-8');
    // A few UTF-8 characters among many stray bytes are not enough.
    const french = iconv.encode(
      'Région,Café,Über\nÎle-de-France,12,3\nNoël,5,€ 4\n',
      'windows-1252',
    );
    const pasted = Buffer.concat([french, Buffer.from('ນະຄອນ,1,2\n'), french, french]);
    assert.equal(detectEncoding(pasted).encoding, 'windows-1252');
  });

  it('finds other Windows code pages, and names a close runner-up when unsure', () => {
    const russian =
      'Город,Население,Область\nМосква,13010112,Москва\nСанкт-Петербург,5601911,Санкт-Петербург\n' +
      'Новосибирск,1633595,Новосибирская\nЕкатеринбург,1544376,Свердловская\nКазань,1308660,Татарстан\n';
    assert.equal(detectEncoding(iconv.encode(russian, 'windows-1251')).encoding, 'windows-1251');
    const vietnamese =
      'Tỉnh,Dân số,Vùng\nHà Nội,8053663,Đồng bằng sông Hồng\nHồ Chí Minh,8993082,Đông Nam Bộ\n' +
      'Đà Nẵng,1134310,Duyên hải Nam Trung Bộ\nCần Thơ,1235171,Đồng bằng sông Cửu Long\n';
    const windows1258 = iconv.encode(vietnamese.normalize('NFD'), 'windows-1258');
    assert.equal(detectEncoding(windows1258).encoding, 'windows-1258');
    // Lithuanian: chardet ranks Latin-1 a little above Windows-1257 on so short a file.
    const lithuanian =
      'Miestas,Gyventojų,Apskritis\nVilnius,588412,Vilniaus\nKaunas,304097,Kauno\n' +
      'Klaipėda,152008,Klaipėdos\nŠiauliai,107086,Šiaulių\nPanevėžys,88412,Panevėžio\n' +
      'Alytus,52727,Alytaus\nMarijampolė,36807,Marijampolės\n';
    const unsure = detectEncoding(iconv.encode(lithuanian, 'windows-1257'));
    assert.match(unsure.reason, /uncertain, windows-1257 scored nearly as well/);
  });

  it('tells Lao CP1133 from Thai TIS-620 by syllable shapes', () => {
    const lao = detectEncoding(iconv.encode(laoCsv, 'cp1133'));
    assert.equal(lao.encoding, 'cp1133');
    // Running Lao text, which chardet (no CP1133 in it) took for EUC-JP at 1,000 characters.
    const udhr = readFileSync(new URL('./fixtures/udhr-lao.txt', import.meta.url), 'utf8');
    for (const length of [200, 1000, 5000])
      assert.equal(
        detectEncoding(iconv.encode(udhr.slice(0, length), 'cp1133')).encoding,
        'cp1133',
        `${length} characters`,
      );
    assert.match(lao.reason, /reads as Lao; plausible syllables: Lao \(CP1133\) 100%/);
    const thai =
      'จังหวัด,ประชากร\nกรุงเทพมหานคร,5588222\nเชียงใหม่,1779254\nขอนแก่น,1802872\n' +
      'นครราชสีมา,2648927\nอุดรธานี,1586646\nหนองคาย,522311\n';
    const result = detectEncoding(iconv.encode(thai, 'tis620'));
    assert.equal(result.encoding, 'windows-874');
    assert.match(result.reason, /reads as Thai/);
  });
});

describe('detectFormat', () => {
  const zip = (...names: string[]): Buffer =>
    Buffer.concat([
      Buffer.from('PK\x03\x04\x14\x00', 'latin1'),
      ...names.map((n) => Buffer.from(`\0\0${n}\0`, 'latin1')),
    ]);
  const cfb = (stream: string): Buffer =>
    Buffer.concat([
      Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
      Buffer.alloc(504),
      Buffer.from(`Root Entry\0${stream}`, 'utf16le'),
    ]);

  it('reads container formats from their magic bytes, whatever the name', () => {
    assert.equal(
      detectFormat(zip('[Content_Types].xml', 'xl/workbook.xml'), 'data.csv').format,
      'xlsx',
    );
    assert.deepEqual(detectFormat(zip('mimetypeapplication/vnd.oasis.opendocument.spreadsheet')), {
      format: 'ods',
      reason: 'zip whose mimetype entry is an OpenDocument spreadsheet',
    });
    assert.equal(detectFormat(zip('word/document.xml'), 'x.zip').format, 'unknown');
    assert.equal(detectFormat(cfb('Workbook')).format, 'xls');
    assert.equal(detectFormat(cfb('EncryptedPackage'), 'budget.xlsx').format, 'xlsx-encrypted');
    assert.equal(detectFormat(Buffer.from('PAR1\x15\x04', 'latin1')).format, 'parquet');
  });

  it('tells JSON, NDJSON and GeoJSON apart', () => {
    const geo = '\uFEFF {"type":"FeatureCollection","features":[]}';
    assert.equal(detectFormat(Buffer.from(geo)).format, 'geojson');
    assert.equal(detectFormat(Buffer.from('{"a":1}\n{"a":2}\n{"a":3}\n')).format, 'ndjson');
    assert.equal(detectFormat(Buffer.from('[{"a":1},\n{"a":2}]')).format, 'json');
    assert.equal(detectFormat(Buffer.from('{"rows": [1, 2]}\n')).format, 'json');
  });

  it('reads other text as delimited, garbage as unknown, empty by name', () => {
    assert.equal(detectFormat(Buffer.from(laoCsv), 'x.json').format, 'csv');
    assert.equal(detectFormat(iconv.encode(laoCsv, 'cp1133')).format, 'csv');
    // A forced encoding is the one the text is judged in, and the reason says so.
    assert.deepEqual(detectFormat(iconv.encode(laoCsv, 'utf-16le'), 'x.csv', 'utf-16le'), {
      format: 'csv',
      reason: 'text in utf-16le that is not JSON: read as delimited text',
    });
    let seed = 7;
    const garbage = Buffer.alloc(4096, 0).map(
      () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) & 0xff,
    );
    const binary = detectFormat(Buffer.from(garbage), 'report.csv');
    assert.equal(binary.format, 'unknown');
    assert.match(binary.reason, /^binary: \d+% control or undecodable characters/);
    assert.deepEqual(detectFormat(Buffer.alloc(0), 'empty.csv'), {
      format: 'csv',
      reason: 'the file is empty; the name says csv',
    });
    assert.equal(detectFormat(Buffer.alloc(0)).format, 'unknown');
  });
});

describe('detectDialect', () => {
  it('finds comma, tab, pipe and semicolon', () => {
    assert.equal(detectDialect(laoCsv).delimiter, ',');
    assert.equal(detectDialect(laoCsv.replaceAll(',', '\t')).delimiter, '\t');
    assert.equal(detectDialect(laoCsv.replaceAll(',', '|')).delimiter, '|');
    const semicolon =
      'ແຂວງ;ປະຊາກອນ;ເນື້ອທີ່\nນະຄອນຫຼວງວຽງຈັນ;969.000;3.920\nຈຳປາສັກ;6.492.228,5;15.415\nຫຼວງພະບາງ;470.000,25;16.875,5\n';
    const result = detectDialect(semicolon);
    assert.equal(result.delimiter, ';');
    assert.equal(
      result.reason,
      'semicolon gives 3 fields on 4 of 4 sample lines, more than any other candidate; no quoted fields in the sample',
    );
  });

  it('ignores title lines and reads quoted fields with newlines and delimiters', () => {
    const sample =
      'ກະຊວງສາທາລະນະສຸກ, ລາຍງານປະຈຳປີ 2023\n\n' +
      'ແຂວງ;ຈຳນວນ;ໝາຍເຫດ\n' +
      'ຫຼວງພະບາງ;12;"ມີ; ສອງ\nແຖວ"\n' +
      'ເຊກອງ;3;""\n' +
      'ອັດຕະປື;5;"ບໍ່ມີ"\n' +
      'ສາລະວັນ;7;ok\n' +
      'ໄຊສົມບູນ;1;"cut off';
    const result = detectDialect(sample);
    assert.equal(result.delimiter, ';');
    assert.equal(result.quote, '"');
    assert.match(result.reason, /^semicolon gives 3 fields on 5 of 7 sample lines/);
  });

  it('prefers single quotes only when they, not double quotes, wrap fields', () => {
    assert.equal(detectDialect("a,b\n'x, y',1\n'z',2\n").quote, "'");
    assert.equal(detectDialect("name,note\nJohn's,1\nMary's,2\n").quote, '"');
  });

  it('treats a file without any delimiter as one column', () => {
    const result = detectDialect('ແຂວງ\nຫຼວງພະບາງ\nເຊກອງ\n');
    assert.equal(result.delimiter, ',');
    assert.match(result.reason, /one column/);
  });
});

describe('detectDialect quotes', () => {
  it('sees quoted fields with doubled quotes and line breaks', () => {
    const result = detectDialect('id,name\n1,"Vientiane ""Capital"", LA01"\n2,"two\nlines"\n');
    assert.equal(result.quote, '"');
    assert.match(result.reason, /fields in the sample start with "$/);
  });
});
