import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import iconv from 'iconv-lite';
import { UnreadableSource } from '../src/datastore/readers/errors.js';
import { ReportCollector } from '../src/datastore/report.js';
import type { SourceRow } from '../src/datastore/source.js';
import * as sniff from '../src/datastore/sniff/index.js';
const { DelimitedParser, decodeToText, locateTable, openDelimitedText } = sniff;

// Fixtures are written at test time: several are binary or big, none is worth committing.
const dir = mkdtempSync(join(tmpdir(), 'khomoun-sniff-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function fixture(name: string, content: Buffer | string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function readAll(path: string, encoding?: string) {
  const report = new ReportCollector();
  const source = await openDelimitedText(path, encoding ? { encoding } : {});
  const rows: SourceRow[] = [];
  for await (const batch of source.rows(report)) rows.push(...batch);
  return { rows, report: report.finish({ rows: rows.length, fields: 0 }) };
}

const decided = (report: { decisions: Array<{ topic: string; value: string }> }, topic: string) =>
  report.decisions.find((decision) => decision.topic === topic)?.value;

async function* chunks(...parts: Buffer[]): AsyncIterable<Buffer> {
  yield* parts;
}

async function decodeAll(parts: Buffer[], encoding: string) {
  const report = new ReportCollector();
  let text = '';
  for await (const chunk of decodeToText(chunks(...parts), encoding, report)) text += chunk;
  return { text, report: report.finish({ rows: 0, fields: 0 }) };
}

describe('decodeToText', () => {
  it('numbers bad lines by CRLF and CR breaks, also across chunks', async () => {
    const bad = iconv.encode('Café\r\n', 'windows-1252');
    const bytes = Buffer.concat([Buffer.from('ແຂວງ\r\nເຊກອງ\r'), bad]);
    // Split between a CR and its LF.
    const { text, report } = await decodeAll([bytes.subarray(0, 13), bytes.subarray(13)], 'utf8');
    assert.equal(text, 'ແຂວງ\nເຊກອງ\nCaf\uFFFD\n');
    const found = report.errors.map((e) => `${e.code} ${e.rowNumber} ${e.cell}`);
    assert.deepEqual(
      [...found, decided(report, 'line-endings')],
      ['encoding-error 3 Caf\uFFFD', 'crlf+cr'],
    );
  });

  it('joins CRLF and multibyte characters split between chunks', async () => {
    const bytes = Buffer.from('ແຂວງ\r\nເຊກອງ\r\n');
    const { text, report } = await decodeAll(
      [bytes.subarray(0, 4), bytes.subarray(4, 13), bytes.subarray(13)],
      'utf-8',
    );
    assert.equal(bytes[12], 0x0d); // the second chunk ends between CR and LF
    assert.equal(text, 'ແຂວງ\nເຊກອງ\n');
    assert.equal(decided(report, 'line-endings'), 'crlf');
  });

  it('turns lone CR into LF, strips the BOM and removes NUL bytes', async () => {
    const { text, report } = await decodeAll(
      [Buffer.from('\uFEFFa,b\r1,\0\u00002\r\n3,4\n')],
      'utf-8',
    );
    assert.equal(text, 'a,b\n1,2\n3,4\n');
    assert.deepEqual(
      report.decisions.map((d) => [d.topic, d.value]),
      [
        ['nul-bytes', '2'],
        ['line-endings', 'crlf+lf+cr'],
      ],
    );
  });

  it('reports lines with bytes of another encoding, once per line', async () => {
    const mixed = Buffer.concat([
      Buffer.from('ແຂວງ,ຈຳນວນ\nເຊກອງ,3\n'),
      iconv.encode('Café,4,Noël\n', 'windows-1252'),
      Buffer.from('ອັດຕະປື,5\n'),
    ]);
    const { text, report } = await decodeAll([mixed], 'utf-8');
    assert.equal(text.split('\n')[2], 'Caf\uFFFD,4,No\uFFFDl');
    assert.deepEqual(
      report.errors.map((e) => [e.code, e.rowNumber, e.cell]),
      [['encoding-error', 3, 'Caf\uFFFD,4,No\uFFFDl']],
    );
  });
});

describe('openDelimitedText in UTF-16BE', () => {
  it('reads a big-endian file with and without its byte-order mark', async () => {
    const text = 'ແຂວງ;ປະຊາກອນ\r\nເຊກອງ;129000\r\nອັດຕະປື;153000\r\n';
    const bigEndian = Buffer.from(text, 'utf16le').swap16();
    for (const [name, bytes] of [
      ['with-bom.csv', Buffer.concat([Buffer.from([0xfe, 0xff]), bigEndian])],
      ['without-bom.csv', bigEndian],
    ] as const) {
      const { rows, report } = await readAll(fixture(name, bytes));
      assert.equal(decided(report, 'encoding'), 'utf-16be', name);
      assert.deepEqual(
        rows.map((row) => row.cells),
        [
          ['ແຂວງ', 'ປະຊາກອນ'],
          ['ເຊກອງ', '129000'],
          ['ອັດຕະປື', '153000'],
        ],
        name,
      );
    }
  });
});

describe('openDelimitedText on a UTF-8 file with a stray line', () => {
  it('keeps the Lao text and reports the one line of Windows-1252', async () => {
    const lines = ['ລະຫັດ,ແຂວງ,ປະຊາກອນ'];
    for (let i = 0; i < 50; i += 1) lines.push(`LA${i},ນະຄອນຫຼວງວຽງຈັນ,${969000 + i}`);
    const path = fixture(
      'stray-line.csv',
      Buffer.concat([
        Buffer.from(lines.slice(0, 20).join('\n') + '\n'),
        iconv.encode('LA99,Café,12\n', 'windows-1252'),
        Buffer.from(lines.slice(20).join('\n') + '\n'),
      ]),
    );
    const { rows, report } = await readAll(path);
    assert.equal(decided(report, 'encoding'), 'utf-8');
    assert.deepEqual(rows[0]!.cells, ['ລະຫັດ', 'ແຂວງ', 'ປະຊາກອນ']);
    assert.deepEqual(rows.at(-1)!.cells, ['LA49', 'ນະຄອນຫຼວງວຽງຈັນ', '969049']);
    assert.deepEqual(
      report.errors.map((e) => [e.code, e.rowNumber, e.cell]),
      [['encoding-error', 21, 'LA99,Caf\uFFFD,12']],
    );
  });
});

describe('DelimitedParser line endings', () => {
  it('reads CRLF and lone CR, split anywhere between chunks, inside quotes too', () => {
    const cases: Array<[string, string[]]> = [
      ['a,b\r\n1,"x\r\ny"\r\n2,"p\rq"\r3,z\r\n', ['1:a|b', '2:1|x\ny', '4:2|p\nq', '6:3|z']],
      ['a,b\r1,2\r', ['1:a|b', '2:1|2']],
    ];
    for (const [text, expected] of cases) {
      for (let at = 0; at <= text.length; at++) {
        const parser = new DelimitedParser({ delimiter: ',', quote: '"' });
        const rows = [...parser.push(text.slice(0, at)), ...parser.push(text.slice(at), true)];
        const got = rows.map((row) => `${row.rowNumber}:${row.cells.join('|')}`);
        assert.deepEqual(got, expected, `split at ${at}`);
      }
    }
  });
});

describe('locateTable', () => {
  async function* batches(rows: string[][], size = 2): AsyncIterable<SourceRow[]> {
    const all = rows.map((cells, i) => ({ rowNumber: i + 1, cells }));
    for (let i = 0; i < all.length; i += size) yield all.slice(i, i + size);
  }
  async function locate(rows: string[][]) {
    const report = new ReportCollector();
    const table = await locateTable(batches(rows), report);
    const body: SourceRow[] = [];
    for await (const batch of table.rows) body.push(...batch);
    return {
      table,
      body,
      report: report.finish({ rows: body.length, fields: table.names.length }),
    };
  }

  it('skips title rows, keeps the body and sets notes below aside', async () => {
    const { table, body, report } = await locate([
      ['ສະຖິຕິປະຊາກອນ ປີ 2023', '', '', ''],
      ['ກະຊວງແຜນການ ແລະ ການລົງທຶນ', '', '', ''],
      ['', '', '', ''],
      ['ລະຫັດ', 'ແຂວງ', 'ປະຊາກອນ', ''],
      ['LA01', 'ນະຄອນຫຼວງວຽງຈັນ', '969000', ''],
      ['LA02', 'ຜົ້ງສາລີ', '191000', ''],
      ['', '', '', ''],
      ['LA15', 'ເຊກອງ', '129000', ''],
      ['', '', '', ''],
      ['ໝາຍເຫດ: ຕົວເລກປະມານ', '', '', ''],
      ['Source: Lao Statistics Bureau', '', '', ''],
    ]);
    assert.deepEqual(table.names, ['ລະຫັດ', 'ແຂວງ', 'ປະຊາກອນ']);
    assert.equal(table.headerRowNumber, 4);
    assert.deepEqual(
      body.map((row) => [row.rowNumber, ...row.cells]),
      [
        [5, 'LA01', 'ນະຄອນຫຼວງວຽງຈັນ', '969000'],
        [6, 'LA02', 'ຜົ້ງສາລີ', '191000'],
        [8, 'LA15', 'ເຊກອງ', '129000'],
      ],
    );
    assert.deepEqual(
      report.errors.map((e) => [e.code, e.rowNumber]),
      [['blank-row', 7]],
    );
    assert.equal(decided(report, 'header-row'), '4');
    assert.match(
      report.decisions[0]?.reason ?? '',
      /row 4 is the first row of mostly text about as wide as the rows below it \(most fill 3 columns\); 2 title rows above skipped/,
    );
    assert.equal(
      decided(report, 'notes-below'),
      'ໝາຍເຫດ: ຕົວເລກປະມານ | Source: Lao Statistics Bureau',
    );
  });

  it('finds a header of years under a title, alone or under a merged group label', async () => {
    const { table, body, report } = await locate([
      ['Population by province (persons)', '', '', ''],
      ['', '', '', ''],
      ['province', '2019', '2020', '2021'],
      ['Vientiane', '820940', '830000', '845000'],
      ['Champasak', '694023', '700100', '712000'],
    ]);
    assert.equal(table.headerRowNumber, 3);
    assert.deepEqual(table.names, ['province', '2019', '2020', '2021']);
    assert.deepEqual(
      body.map((row) => row.rowNumber),
      [4, 5],
    );
    assert.match(
      report.decisions[0]?.reason ?? '',
      /row 3 is the first row of mostly text and years about as wide as the rows below it/,
    );
    const grouped = await locate([
      ['ແຂວງ', 'ປະຊາກອນ', '', 'ຄົວເຮືອນ', ''],
      ['', '2019', '2020', '2019', '2020'],
      ['ເຊກອງ', '120000', '125000', '21000', '21900'],
    ]);
    assert.deepEqual(grouped.table.names, [
      'ແຂວງ',
      'ປະຊາກອນ 2019',
      'ປະຊາກອນ 2020',
      'ຄົວເຮືອນ 2019',
      'ຄົວເຮືອນ 2020',
    ]);
    // The readers fill a label merged down both header rows into both (merged-cells.ts).
    const filled = await locate([
      ['ແຂວງ', 'ເມືອງ', 'ປະຊາກອນ', ''],
      ['ແຂວງ', 'ເມືອງ', '2019', '2020'],
      ['ນະຄອນຫຼວງວຽງຈັນ', 'ຈັນທະບູລີ', '74000', '75000'],
    ]);
    assert.deepEqual(filled.table.names, ['ແຂວງ', 'ເມືອງ', 'ປະຊາກອນ 2019', 'ປະຊາກອນ 2020']);
    // A row of data holding one year, or the same year twice, is no header.
    const data = await locate([
      ['Report', '', ''],
      ['', '', ''],
      ['Vientiane', '2019', '820940'],
      ['Champasak', '2019', '2019'],
    ]);
    assert.equal(data.table.headerRowNumber, 1);
  });

  it('joins a two-row header under merged group cells', async () => {
    const { table, body } = await locate([
      ['ແຂວງ', 'ປີ 2020', '', 'ປີ 2021', ''],
      ['', 'ຊາຍ', 'ຍິງ', 'ຊາຍ', 'ຍິງ'],
      ['ເຊກອງ', '60', '59', '61', '60'],
    ]);
    assert.deepEqual(table.names, ['ແຂວງ', 'ປີ 2020 ຊາຍ', 'ປີ 2020 ຍິງ', 'ປີ 2021 ຊາຍ', 'ປີ 2021 ຍິງ']);
    assert.equal(table.headerRowNumber, 2);
    assert.deepEqual(
      body.map((row) => row.rowNumber),
      [3],
    );
  });

  it('names blank and duplicate labels and reports short and long rows', async () => {
    const { table, body, report } = await locate([
      [' ແຂວງ  ', 'year', '', 'Year', 'value'],
      ['ເຊກອງ', '2020', 'x', '2021'],
      ['ອັດຕະປື', '2020', 'y', '2021', '5', '', 'extra'],
    ]);
    assert.deepEqual(table.names, ['ແຂວງ', 'year', 'column_3', 'Year_2', 'value']);
    assert.deepEqual(body[0]?.cells, ['ເຊກອງ', '2020', 'x', '2021', '']);
    assert.deepEqual(body[1]?.cells, ['ອັດຕະປື', '2020', 'y', '2021', '5']);
    assert.deepEqual(
      report.errors.map((e) => [e.code, e.rowNumber, e.fieldNumber]),
      [
        ['blank-label', 1, 3],
        ['duplicate-label', 1, 4],
        ['missing-cell', 2, 5],
        ['extra-cell', 3, 7],
      ],
    );
  });

  it('sets aside a sentence right under the data, with no blank row or keyword before it', async () => {
    const note = 'ຕົວເລກປີ 2023 ແມ່ນຕົວເລກເບື້ອງຕົ້ນ ຈະປັບປຸງເມື່ອສຳມະໂນຄົວສຳເລັດ.';
    const { body, report } = await locate([
      ['ລະຫັດ', 'ແຂວງ', 'ປະຊາກອນ'],
      ['LA01', 'ນະຄອນຫຼວງວຽງຈັນ', '969000'],
      ['LA02', 'ຜົ້ງສາລີ', '191000'],
      ['ນະຄອນຫຼວງວຽງຈັນ', '', ''],
      ['LA15', 'ເຊກອງ', '129000'],
      [note, '', ''],
    ]);
    assert.deepEqual(
      body.map((row) => row.rowNumber),
      [2, 3, 4, 5],
      'a short label alone on its row stays data',
    );
    assert.equal(decided(report, 'notes-below'), note);
    assert.match(
      report.decisions.find((d) => d.topic === 'notes-below')?.reason ?? '',
      /^row 6 follows the last data row with only its first cell filled: read as a note/,
    );
  });

  it('keeps rows after a blank row as data when real data follows', async () => {
    const { body, report } = await locate([
      ['a', 'b'],
      ['1', '2'],
      ['', ''],
      ['note?', ''],
      ['3', '4'],
    ]);
    assert.deepEqual(
      body.map((row) => row.rowNumber),
      [2, 4, 5],
    );
    assert.deepEqual(
      report.errors.map((e) => [e.code, e.rowNumber]),
      [['blank-row', 3]],
    );
    assert.equal(decided(report, 'notes-below'), undefined);
  });
});

const provinces =
  'ລະຫັດ,ແຂວງ,ປະຊາກອນ\nLA01,ນະຄອນຫຼວງວຽງຈັນ,969000\nLA06,ຫຼວງພະບາງ,470000\nLA15,ເຊກອງ,129000\n';
const provinceRows = [
  [1, 'ລະຫັດ', 'ແຂວງ', 'ປະຊາກອນ'],
  [2, 'LA01', 'ນະຄອນຫຼວງວຽງຈັນ', '969000'],
  [3, 'LA06', 'ຫຼວງພະບາງ', '470000'],
  [4, 'LA15', 'ເຊກອງ', '129000'],
];
const flat = (rows: SourceRow[]) => rows.map((row) => [row.rowNumber, ...row.cells]);

describe('openDelimitedText', () => {
  it('reads a UTF-16LE tab-separated health export with a BOM', async () => {
    const text = '\uFEFF' + provinces.replaceAll(',', '\t').replaceAll('\n', '\r\n');
    const { rows, report } = await readAll(
      fixture('health-utf16.csv', iconv.encode(text, 'utf-16le')),
    );
    assert.deepEqual(flat(rows), provinceRows);
    assert.equal(decided(report, 'encoding'), 'utf-16le');
    assert.equal(decided(report, 'delimiter'), '\t');
    assert.equal(decided(report, 'line-endings'), 'crlf');
    assert.equal(report.stats.errors, 0);
  });

  it('reads legacy Lao CP1133, Big5, GB18030, Windows-1252 and TIS-620 files', async () => {
    const cp1133 = await readAll(fixture('lao-cp1133.csv', iconv.encode(provinces, 'cp1133')));
    assert.deepEqual(flat(cp1133.rows), provinceRows);
    assert.equal(decided(cp1133.report, 'encoding'), 'cp1133');
    const cases: Array<[string, string, string]> = [
      [
        'big5',
        'big5',
        '省份,人口\n臺北市,2602418\n高雄市,2737989\n新北市,3995554\n桃園市,2268807\n',
      ],
      [
        'gb18030',
        'gb18030',
        '省份,人口\n北京市,21893095\n上海市,24870895\n广东省,126012510\n四川省,83674866\n',
      ],
      ['windows-1252', 'windows-1252', 'Région,Café\nÎle-de-France,12\nNoël,5\nRéunion,été\n'],
      ['tis620', 'windows-874', 'จังหวัด,ประชากร\nเชียงใหม่,1779254\nขอนแก่น,1802872\nหนองคาย,522311\n'],
    ];
    for (const [from, expected, text] of cases) {
      const { rows, report } = await readAll(fixture(`${from}.csv`, iconv.encode(text, from)));
      assert.equal(decided(report, 'encoding'), expected, from);
      assert.deepEqual(
        rows.map((row) => row.cells.join(',')),
        text.trim().split('\n'),
        from,
      );
    }
  });

  it('reads pipe and semicolon files with Lao decimals, NUL bytes and lone CRs', async () => {
    const pipe = await readAll(fixture('pipe.txt', provinces.replaceAll(',', '|')));
    assert.deepEqual(flat(pipe.rows), provinceRows);
    const semi = await readAll(fixture('semi.csv', 'ແຂວງ;ມູນຄ່າ\nຈຳປາສັກ;6.492.228,5\nເຊກອງ;12,25\n'));
    assert.deepEqual(
      semi.rows.map((row) => row.cells),
      [
        ['ແຂວງ', 'ມູນຄ່າ'],
        ['ຈຳປາສັກ', '6.492.228,5'],
        ['ເຊກອງ', '12,25'],
      ],
    );
    const nul = await readAll(fixture('nul.csv', provinces.replaceAll('LA', 'L\0A')));
    assert.deepEqual(flat(nul.rows), provinceRows);
    assert.equal(decided(nul.report, 'nul-bytes'), '3');
    const cr = await readAll(fixture('mac.csv', provinces.replaceAll('\n', '\r')));
    assert.deepEqual(flat(cr.rows), provinceRows);
    assert.equal(decided(cr.report, 'line-endings'), 'cr');
  });

  it('numbers rows by the physical line of their first field', async () => {
    const text = 'id,note\n1,"ສອງ\nແຖວ, ມີຈຸດ"\n2,"a ""quoted"" word"\n3,"x\r\n\r\ny"\n4,z';
    const { rows } = await readAll(fixture('multiline.csv', text));
    assert.deepEqual(flat(rows), [
      [1, 'id', 'note'],
      [2, '1', 'ສອງ\nແຖວ, ມີຈຸດ'],
      [4, '2', 'a "quoted" word'],
      [5, '3', 'x\n\ny'],
      [8, '4', 'z'],
    ]);
  });

  it('reports an unbalanced quote where it opened and reads on', async () => {
    const text = 'id,name\n1,ເຊກອງ\n2,"ອັດຕະປື\n3,ສາລະວັນ\n4,ໄຊສົມບູນ\n';
    const { rows, report } = await readAll(fixture('unbalanced.csv', text));
    assert.deepEqual(flat(rows), [
      [1, 'id', 'name'],
      [2, '1', 'ເຊກອງ'],
      [3, '2', '"ອັດຕະປື'],
      [4, '3', 'ສາລະວັນ'],
      [5, '4', 'ໄຊສົມບູນ'],
    ]);
    assert.deepEqual(
      report.errors.map((e) => [e.code, e.rowNumber, e.fieldNumber]),
      [['format-error', 3, 2]],
    );
  });

  it('reports a missing quote that merged rows into one cell', async () => {
    const text = 'id,name,note\n1,"ວຽງຈັນ,ok\n2,ປາກເຊ,"fine"\n3,ສາລະວັນ,x\n';
    const { rows, report } = await readAll(fixture('merged.csv', text));
    assert.deepEqual(flat(rows), [
      [1, 'id', 'name', 'note'],
      [2, '1', 'ວຽງຈັນ,ok\n2,ປາກເຊ,fine"'],
      [4, '3', 'ສາລະວັນ', 'x'],
    ]);
    assert.deepEqual(
      report.errors.map((e) => [e.code, e.rowNumber, e.fieldNumber, e.message]),
      [
        [
          'format-error',
          2,
          2,
          'the quote opened on line 2 seems to close on line 3, with text after it: a quote is probably missing, and line 3 was read into this cell',
        ],
      ],
    );
    // A cell over several lines that closes properly is no problem.
    const address = await readAll(fixture('address.csv', 'id,address\n1,"Ban Xay,\nVientiane"\n'));
    assert.deepEqual(address.report.errors, []);
  });

  it('handles empty, header-only and titled files', async () => {
    const empty = await readAll(fixture('empty.csv', ''));
    assert.deepEqual(empty.rows, []);
    assert.deepEqual(empty.report.errors, [{ code: 'source-error', message: 'the file is empty' }]);
    const header = await readAll(fixture('header.csv', 'ລະຫັດ,ແຂວງ\r\n'));
    assert.deepEqual(flat(header.rows), [[1, 'ລະຫັດ', 'ແຂວງ']]);
    const titled = 'ລາຍງານ ປີ 2023\n\n' + provinces + '\nSource: Lao Statistics Bureau\n';
    const report = new ReportCollector();
    const source = await openDelimitedText(fixture('titled.csv', titled), {});
    const table = await locateTable(source.rows(report), report);
    const body: SourceRow[] = [];
    for await (const batch of table.rows) body.push(...batch);
    assert.equal(table.headerRowNumber, 3);
    assert.deepEqual(
      flat(body),
      provinceRows.slice(1).map(([n, ...cells]) => [Number(n) + 2, ...cells]),
    );
    const result = report.finish({ rows: body.length, fields: 3 });
    assert.equal(decided(result, 'notes-below'), 'Source: Lao Statistics Bureau');
    assert.equal(result.stats.errors, 0);
  });

  it('reads a 10 MB cell and 20,000 columns, refuses a file with 100,000 columns or a 33 MB cell', async () => {
    const big = 'ກ'.repeat((10 * 1024 * 1024) / 3);
    const cell = await readAll(fixture('cell.csv', `a,b\n1,"${big}"\n2,x\n`));
    assert.deepEqual(
      cell.rows.map((row) => [row.rowNumber, row.cells[1]?.length]),
      [
        [1, 1],
        [2, big.length],
        [3, 1],
      ],
    );
    const header = Array.from({ length: 20_000 }, (_, i) => `c${i}`).join(',');
    const wide = await readAll(fixture('wide.csv', `${header}\n${header}\n`));
    assert.deepEqual(
      wide.rows.map((row) => row.cells.length),
      [20_000, 20_000],
    );
    // Past a limit the file is refused whole: a table of the rows before it would lose the rest.
    await assert.rejects(
      readAll(fixture('too-wide.csv', '1,'.repeat(100_000) + '\n')),
      (error: unknown) =>
        error instanceof UnreadableSource &&
        error.message ===
          'This file cannot be read to its end: more than 50000 columns (row 1). Nothing was loaded.',
    );
    await assert.rejects(
      readAll(fixture('huge.csv', `a\n${'x'.repeat(33 * 1024 * 1024)}\nb\n`)),
      /cannot be read to its end: a line longer than 33554432 characters \(row 2\)/,
    );
  });

  it('tells how many bytes of the file it has read', async () => {
    const text = provinces.repeat(20_000);
    const source = await openDelimitedText(fixture('progress.csv', text), {});
    const seen = [source.bytesRead?.()];
    for await (const _ of source.rows(new ReportCollector())) seen.push(source.bytesRead?.());
    const size = Buffer.byteLength(text);
    assert.ok(seen[0] === 0 && seen.length > 3 && (seen[1] ?? 0) < size && seen.at(-1) === size);
  });

  it('honours a given encoding', async () => {
    const { rows, report } = await readAll(
      fixture('given.csv', iconv.encode(provinces, 'cp1133')),
      'cp1133',
    );
    assert.deepEqual(flat(rows), provinceRows);
    assert.deepEqual(report.decisions[0], {
      topic: 'encoding',
      value: 'cp1133',
      reason: 'given by the publisher',
    });
  });
});
