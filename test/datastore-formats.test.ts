import assert from 'node:assert/strict';
import {
  createReadStream,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as XLSX from '@e965/xlsx';
import iconv from 'iconv-lite';
import {
  ingestFile,
  openTableStore,
  type IngestOptions,
  type TableStore,
} from '../src/datastore/index.js';
import { LocalBlobStore } from '../src/files/index.js';
import { AppError } from '../src/lib/errors.js';
import { fixture } from './datastore-readers-support.js';

/** Every format, end to end: the file in the blob store, the typed table and its schema out. */
describe('datastore ingest of every format', () => {
  let dir: string;
  let blobs: LocalBlobStore;
  let tables: TableStore;
  let counter = 0;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'khomoun-formats-'));
    blobs = new LocalBlobStore(join(dir, 'blobs'));
    tables = openTableStore(join(dir, 'tables'), { memoryLimit: '128MB', threads: 1 });
  });
  after(async () => {
    tables.close();
    await blobs.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ingest = async (path: string, fileName: string, options: IngestOptions = {}) => {
    const stored = await blobs.put(createReadStream(path), { maxBytes: 1e9 });
    counter += 1;
    const id = `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`;
    const result = await ingestFile(
      { id, blobSha256: stored.sha256, fileName, options },
      { blobs, tables, workDir: join(dir, 'work') },
      () => {},
    );
    const rows = await tables.withConnection(async (c) =>
      (
        await c.runAndReadAll(`select * from "${result.tableName}" order by _row`)
      ).getRowObjectsJS(),
    );
    const types = Object.fromEntries(result.tableSchema.fields.map((f) => [f.name, f.type]));
    return { result, rows, types };
  };

  const write = (name: string, bytes: Buffer | string) => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };

  it('XLSM report: skips the title rows, finds the header, sets the notes below aside', async () => {
    const { result, rows, types } = await ingest(
      fixture('lao-provinces-report.xlsm'),
      'report.xlsm',
    );
    assert.equal(result.rowCount, 18);
    assert.deepEqual(Object.keys(types), ['ລະຫັດ', 'ຊື່ແຂວງ', 'ຊື່ອັງກິດ', 'ປະເພດ']);
    assert.deepEqual(rows[0], {
      _row: 5n,
      ລະຫັດ: 'LA01',
      ຊື່ແຂວງ: 'ນະຄອນຫຼວງວຽງຈັນ',
      ຊື່ອັງກິດ: 'Vientiane Capital',
      ປະເພດ: 'prefecture',
    });
    const topics = result.report.decisions.map((d) => d.topic);
    assert.ok(topics.includes('notes-below'), topics.join(', '));
    assert.equal(result.report.decisions.find((d) => d.topic === 'header-row')?.value, '4');
    assert.equal(result.report.valid, true, JSON.stringify(result.report.errors));
  });

  it('XLSX sheet chosen by name: numbers, dates and booleans typed from the cells', async () => {
    const { result, types } = await ingest(fixture('lao-provinces-report.xlsm'), 'report.xlsm', {
      sheet: 'ສະຖິຕິ',
    });
    assert.equal(result.report.decisions.find((d) => d.topic === 'sheet')?.value, 'ສະຖິຕິ');
    assert.equal(types['ປີ'], 'integer');
    assert.deepEqual(result.report.totals, { 'type-error': 1 }, 'only the #DIV/0! cell');
  });

  it('XLS and ODS through SheetJS', async () => {
    for (const bookType of ['xls', 'ods'] as const) {
      const book = XLSX.utils.book_new();
      const sheet = XLSX.utils.aoa_to_sheet([
        ['ແຂວງ', 'ປະຊາກອນ', 'ວັນທີ'],
        ['ຫຼວງພະບາງ', 431889, new Date(Date.UTC(2015, 2, 1))],
        ['ວຽງຈັນ', 419090, new Date(Date.UTC(2015, 2, 1))],
      ]);
      XLSX.utils.book_append_sheet(book, sheet, 'ປະຊາກອນ');
      const bytes = XLSX.write(book, { type: 'buffer', bookType }) as Buffer;
      const { rows, types } = await ingest(write(`p.${bookType}`, bytes), `p.${bookType}`);
      assert.deepEqual(types, { ແຂວງ: 'string', ປະຊາກອນ: 'integer', ວັນທີ: 'date' }, bookType);
      assert.equal(rows[1]?.['ປະຊາກອນ'], 419090n, bookType);
    }
  });

  it('JSON, NDJSON and GeoJSON: keys become columns, geometry stays GeoJSON', async () => {
    const json = await ingest(fixture('provinces.json'), 'provinces.json');
    assert.ok('pcode' in json.types && 'name_lo' in json.types);
    assert.equal(json.rows[0]?.['pcode'], 'LA01');
    const header = json.result.report.decisions.find((d) => d.topic === 'header-row');
    assert.equal(header?.value, '0');
    assert.match(header?.reason ?? '', /^row 0 is not a row of the file but the names it gives/);
    const ndjson = await ingest(fixture('provinces.ndjson'), 'provinces.ndjson');
    assert.equal(ndjson.result.report.totals['format-error'], 1, 'the broken line is reported');
    assert.ok(ndjson.result.rowCount >= 4);
    const geojson = await ingest(fixture('provinces.geojson'), 'provinces.geojson');
    assert.equal(geojson.types['geometry'], 'string');
    const geometry = geojson.rows.find((row) => row['geometry'])?.['geometry'];
    assert.match(String(geometry), /"type":"(Point|Polygon|MultiPolygon)"/);
  });

  /** The layout of test/fixtures/datastore/provinces-fixed.txt. */
  const fixedWidth = {
    fields: [
      { name: 'pcode', start: 1, width: 4 },
      { name: 'name_lo', start: 5, width: 20 },
      { name: 'name_en', start: 25, width: 18 },
      { name: 'type', start: 43, width: 10 },
    ],
    skipLines: 2,
  };

  it('fixed-width text with its layout', async () => {
    const { rows, types } = await ingest(fixture('provinces-fixed.txt'), 'provinces.txt', {
      fixedWidth,
    });
    assert.deepEqual(Object.keys(types), ['pcode', 'name_lo', 'name_en', 'type']);
    assert.equal(rows[0]?.['name_lo'], 'ນະຄອນຫຼວງວຽງຈັນ');
  });

  it('fixed-width text in CP1133 with NUL padding, and UTF-16 JSON, without an encoding given', async () => {
    const text = readFileSync(fixture('provinces-fixed.txt'), 'utf8').replace(
      'Phongsaly         ',
      'Phongsaly\0\0\0        ',
    );
    const legacy = await ingest(write('legacy.txt', iconv.encode(text, 'cp1133')), 'legacy.txt', {
      fixedWidth,
    });
    const decided = (report: typeof legacy.result.report, topic: string) =>
      report.decisions.find((decision) => decision.topic === topic)?.value;
    assert.equal(decided(legacy.result.report, 'encoding'), 'cp1133');
    assert.equal(decided(legacy.result.report, 'nul-bytes'), '3');
    assert.equal(legacy.rows[0]?.['name_lo'], 'ນະຄອນຫຼວງວຽງຈັນ');
    assert.deepEqual(
      [legacy.rows[1]?.['pcode'], legacy.rows[1]?.['name_en'], legacy.rows[1]?.['type']],
      ['LA02', 'Phongsaly', 'province'],
    );
    // The fixture's one blank line; no encoding error.
    assert.deepEqual(legacy.result.report.totals, { 'blank-row': 1 });

    const json = readFileSync(fixture('provinces.json'), 'utf8');
    const wide = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json, 'utf16le')]);
    const fromWindows = await ingest(write('wide.json', wide), 'wide.json');
    assert.equal(decided(fromWindows.result.report, 'encoding'), 'utf-16le');
    assert.equal(fromWindows.rows[0]?.['pcode'], 'LA01');
    assert.equal(fromWindows.result.rowCount, (JSON.parse(json) as unknown[]).length);
  });

  it('Parquet keeps its own types', async () => {
    const path = join(dir, 'source.parquet');
    await tables.withConnection((c) =>
      c.run(
        `copy (select 'LA0' || i as pcode, i * 1000 as people, 1.5 * i as share from range(1, 4) t(i)) to '${path}' (format parquet)`,
      ),
    );
    const { result, types, rows } = await ingest(path, 'source.parquet');
    assert.equal(result.rowCount, 3);
    assert.deepEqual(types, { pcode: 'string', people: 'integer', share: 'number' });
    assert.equal(rows[2]?.['pcode'], 'LA03');
  });

  it('keeps integers too wide for BIGINT exact, from a CSV and from a Parquet file', async () => {
    // (Parquet has no 128-bit integer: such numbers come in a DECIMAL(38,0) column.)
    const big = ['12345678901234567890', '-99999999999999999999999', '1'];
    const fromCsv = await ingest(
      write('wide.csv', `id,big\n${big.map((b, i) => `${i},${b}`).join('\n')}\n`),
      'wide.csv',
    );
    assert.equal(fromCsv.types['big'], 'integer');
    assert.deepEqual(
      fromCsv.rows.map((row) => row['big']),
      big.map((b) => BigInt(b)),
    );
    const path = join(dir, 'wide.parquet');
    await tables.withConnection((c) =>
      c.run(
        `copy (select cast(b as DECIMAL(38,0)) as big from (values ${big.map((b) => `('${b}')`).join(', ')}) t(b)) to '${path}' (format parquet)`,
      ),
    );
    const fromParquet = await ingest(path, 'wide.parquet');
    assert.deepEqual(
      fromParquet.rows.map((row) => row['big']),
      big.map((b) => BigInt(b)),
    );
    // The served table holds them as integers, which the data API writes exactly.
    const type = await tables.withConnection(async (c) =>
      (
        await c.runAndReadAll(
          `select data_type from duckdb_columns() where table_name = '${fromCsv.result.tableName}' and column_name = 'big'`,
        )
      ).getRows(),
    );
    assert.deepEqual(type, [['HUGEINT']]);
  });

  it('fails a try whose reading process was killed without a word as one to retry', async () => {
    const lines = Array.from({ length: 400_000 }, (_, i) => `${i},ເມືອງ ${i},${i * 1.5}`);
    const path = write('long.csv', `id,name,value\n${lines.join('\n')}\n`);
    const ingesting = ingest(path, 'long.csv');
    // The ingest's child process, found among this process's children and killed as an
    // operator or the kernel would.
    const childReading = (): number | undefined => {
      for (const task of readdirSync(`/proc/${process.pid}/task`)) {
        const children = readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8');
        for (const pid of children.trim().split(' ').filter(Boolean))
          if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('ingest-process'))
            return Number(pid);
      }
      return undefined;
    };
    let child = childReading();
    while (child === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      child = childReading();
    }
    process.kill(child, 'SIGKILL');
    const failure = await ingesting.then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(failure instanceof Error);
    // Not the file's fault: not an UnreadableSource, which would end the ingest for good.
    assert.ok(!(failure instanceof AppError), String(failure));
    assert.match(failure.message, /stopped \(SIGKILL\) without saying why/);
  });

  it('refuses to read as UTF-16 a file that has no zero byte', async () => {
    const path = write('not16.csv', 'pcode,name\nLA01,ນະຄອນຫຼວງວຽງຈັນ\nLA02,ຜົ້ງສາລີ\n');
    await assert.rejects(ingest(path, 'not16.csv', { encoding: 'utf-16le' }), /is not UTF-16/);
    const real = write('is16.csv', Buffer.from('pcode,name\nLA01,ນະຄອນຫຼວງວຽງຈັນ\n', 'utf16le'));
    const read = await ingest(real, 'is16.csv', { encoding: 'utf-16le' });
    assert.equal(read.rows[0]?.['name'], 'ນະຄອນຫຼວງວຽງຈັນ');
  });

  it('gives each try of an ingest its own scratch folder, and clears those of earlier tries', async () => {
    const path = write('tries.csv', 'a,b\n1,2\n');
    const stored = await blobs.put(createReadStream(path), { maxBytes: 1e9 });
    const id = '00000000-0000-4000-8000-00000000aaaa';
    const workDir = join(dir, 'tries-work');
    const earlier = join(workDir, `ingest-${id}-1`);
    mkdirSync(earlier, { recursive: true });
    writeFileSync(join(earlier, 'rows.csv'), 'left by a try that died');
    const seen: string[] = [];
    const result = await ingestFile(
      { id, attempt: 2, blobSha256: stored.sha256, fileName: 'tries.csv', options: {} },
      { blobs, tables, workDir },
      () => seen.push(...readdirSync(workDir)),
    );
    assert.equal(result.rowCount, 1);
    assert.ok(seen.length > 0 && seen.every((name) => name === `ingest-${id}-2`), seen.join());
    assert.deepEqual(readdirSync(workDir), []);
  });

  it('reads half a surrogate pair, in JSON or in UTF-16, as U+FFFD', async () => {
    const json = await ingest(
      write(
        'sur.json',
        '[{"name":"a\\ud800b","\\udfffk":1},{"name":"ok \\ud83d\\ude42","\\udfffk":2}]',
      ),
      'sur.json',
    );
    assert.deepEqual(
      json.rows.map((row) => Object.values(row).slice(1)),
      [
        ['a\uFFFDb', 1n],
        ['ok 🙂', 2n],
      ],
    );
    assert.deepEqual(Object.keys(json.types), ['name', '\uFFFDk']);
    const text = 'name,v\nab,1\n';
    const units = Buffer.from(text, 'utf16le');
    // An unpaired high surrogate before the "b" of line 2.
    const broken = Buffer.concat([
      units.subarray(0, 16),
      Buffer.from([0x00, 0xd8]),
      units.subarray(16),
    ]);
    const utf16 = await ingest(write('sur.csv', broken), 'sur.csv', { encoding: 'utf-16le' });
    assert.equal(utf16.rows[0]?.['name'], 'a\uFFFDb');
    assert.deepEqual(
      utf16.result.report.errors.map((error) => [error.code, error.rowNumber]),
      [['encoding-error', 2]],
    );
  });

  it('gives a column named _row, in any case, a name no other column has', async () => {
    const { rows, result } = await ingest(
      write('row.csv', '_row,_row_2,_ROW_3\n1,2,3\n'),
      'row.csv',
    );
    assert.deepEqual(rows[0], { _row: 2n, _row_4: 1n, _row_2: 2n, _ROW_3: 3n });
    assert.deepEqual(
      result.tableSchema.fields.map((field) => field.name),
      ['_row_4', '_row_2', '_ROW_3'],
    );
    const upper = await ingest(write('upper.csv', '_ROW,x\n7,8\n'), 'upper.csv');
    assert.deepEqual(upper.rows[0], { _row: 2n, _ROW_2: 7n, x: 8n });
    const path = join(dir, 'row.parquet');
    await tables.withConnection((c) =>
      c.run(`copy (select 1 as "_Row", 2 as x) to '${path}' (format parquet)`),
    );
    await assert.rejects(ingest(path, 'row.parquet'), /column named _Row/);
  });

  it('a UTF-16LE health-agency export with Lao decimals and day-first dates', async () => {
    const text =
      'ແຂວງ\tຈຳນວນຄົນເຈັບ\tອັດຕາ\tວັນທີລາຍງານ\r\n' +
      'ຫຼວງພະບາງ\t1.204\t12,5\t31/01/2024\r\n' +
      'ສະຫວັນນະເຂດ\t2.318\t8,25\t29/02/2024\r\n' +
      'ຈຳປາສັກ\t987\t10\t15/03/2024\r\n';
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf16le')]);
    const { result, rows, types } = await ingest(write('health.csv', bytes), 'health.csv');
    assert.equal(result.report.decisions.find((d) => d.topic === 'encoding')?.value, 'utf-16le');
    assert.deepEqual(types, {
      ແຂວງ: 'string',
      ຈຳນວນຄົນເຈັບ: 'integer',
      ອັດຕາ: 'number',
      ວັນທີລາຍງານ: 'date',
    });
    assert.equal(rows[1]?.['ຈຳນວນຄົນເຈັບ'], 2318n);
    assert.equal(rows[1]?.['ອັດຕາ'], 8.25);
  });

  it('the agency files of test/fixtures/datastore: what was decided, and the typed values', async () => {
    const read = async (name: string) => {
      const { result, rows, types } = await ingest(fixture(name), name);
      const decisions = Object.fromEntries(
        result.report.decisions
          .filter((d) =>
            ['encoding', 'delimiter', 'line-endings', 'nul-bytes', 'header-row'].includes(d.topic),
          )
          .map((d) => [d.topic, d.value]),
      );
      const fields = result.tableSchema.fields;
      return {
        rows,
        types,
        decisions,
        fields,
        count: result.rowCount,
        totals: result.report.totals,
      };
    };
    const health = await read('health-utf16le.csv');
    assert.deepEqual(health.decisions, {
      encoding: 'utf-16le',
      delimiter: '\t',
      'line-endings': 'crlf',
      'header-row': '3',
    });
    assert.deepEqual(health.types, {
      ລະຫັດ: 'string',
      ແຂວງ: 'string',
      ຈຳນວນຄົນເຈັບ: 'integer',
      'ອັດຕາຕໍ່ 100.000': 'number',
      ວັນທີລາຍງານ: 'date',
    });
    assert.equal(health.count, 18);
    // `2.269` and `52,8` in the file: dots group thousands, the comma marks decimals.
    assert.deepEqual(
      [health.rows[1]?.['ແຂວງ'], health.rows[1]?.['ຈຳນວນຄົນເຈັບ'], health.rows[1]?.['ອັດຕາຕໍ່ 100.000']],
      ['ຜົ້ງສາລີ', 2269n, 52.8],
    );
    assert.deepEqual(health.totals, {});
    // The Frictionless schema says how the file writes them.
    assert.deepEqual(
      health.fields
        .slice(2)
        .map(({ type, format, decimalChar }) => ({ type, format, decimalChar })),
      [
        { type: 'integer', format: 'default', decimalChar: undefined },
        { type: 'number', format: 'default', decimalChar: ',' },
        { type: 'date', format: '%d/%m/%Y', decimalChar: undefined },
      ],
    );

    const big5 = await read('population-big5.csv');
    assert.deepEqual(big5.decisions, {
      encoding: 'big5',
      delimiter: ',',
      'line-endings': 'crlf',
      'header-row': '1',
    });
    assert.deepEqual(Object.keys(big5.types), ['國家', '國家代碼', '年份', '總人口', '資料來源']);
    assert.deepEqual(
      [big5.rows.at(-1)?.['國家'], big5.rows.at(-1)?.['年份'], big5.rows.at(-1)?.['總人口']],
      ['寮國', 2024n, 7769819n],
    );

    const padded = await read('provinces-nul.csv');
    assert.equal(padded.decisions['nul-bytes'], '40');
    assert.deepEqual(padded.rows[0], {
      _row: 2n,
      pcode: 'LA01',
      name_lo: 'ນະຄອນຫຼວງວຽງຈັນ',
      name_en: 'Vientiane Capital',
      type: 'prefecture',
    });

    const mac = await read('gdp-cr.csv');
    assert.equal(mac.decisions['line-endings'], 'cr');
    assert.equal(mac.count, 10);
    assert.deepEqual(mac.types, {
      Year: 'integer',
      'GDP (current US$)': 'integer',
      Note: 'string',
    });
    assert.equal(mac.rows[2]?.['Note'], 'revised\nWorld Bank 2024', 'a quoted CR is a line break');

    const piped = await read('provinces-pipe.psv');
    assert.equal(piped.decisions['delimiter'], '|');
    assert.equal(piped.count, 18);
    assert.equal(piped.rows[0]?.['name_en'], 'Vientiane Capital, Vientiane');
  });

  it('a workbook with one cell at its last row, and JSON nested 100,000 deep', async () => {
    const sheet = XLSX.utils.aoa_to_sheet([
      ['pcode', 'name'],
      ['LA01', 'ນະຄອນຫຼວງວຽງຈັນ'],
    ]);
    XLSX.utils.sheet_add_aoa(sheet, [['ໝາຍເຫດ']], { origin: 'B1048576' });
    const book = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(book, sheet, 'ແຂວງ');
    const bytes = XLSX.write(book, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
    const far = await ingest(write('far.xlsx', bytes), 'far.xlsx');
    assert.deepEqual(
      far.rows.map((row) => [row['pcode'], row['name']]),
      [
        ['LA01', 'ນະຄອນຫຼວງວຽງຈັນ'],
        [null, 'ໝາຍເຫດ'],
      ],
    );
    assert.equal(far.result.report.totals['blank-row'], 1_048_576 - 3);

    const deep = `[{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}]`;
    await assert.rejects(
      ingest(write('deep.json', deep), 'deep.json'),
      /the JSON file nests its values too deeply \(thousands of levels\)/,
    );
  });

  it('binary garbage named .csv, a 0-byte file and a header-only file end in clear outcomes', async () => {
    const garbage = Buffer.alloc(4096);
    for (let i = 0; i < garbage.length; i += 1) garbage[i] = (i * 7919) % 256;
    await assert.rejects(ingest(write('garbage.csv', garbage), 'garbage.csv'), /not a table/);
    await assert.rejects(ingest(write('empty.csv', ''), 'empty.csv'), /empty/);
    const headerOnly = await ingest(write('header.csv', 'pcode,name\n'), 'header.csv');
    assert.equal(headerOnly.result.rowCount, 0);
    assert.deepEqual(Object.keys(headerOnly.types), ['pcode', 'name']);
  });

  it('reads a 1,000-column table and a 10 MB cell; refuses 20,000 columns with a clear message', async () => {
    const wide = (columns: number) =>
      [
        Array.from({ length: columns }, (_, i) => `c${i}`).join(','),
        ...Array.from({ length: 20 }, (_, r) =>
          Array.from({ length: columns }, (_, i) => String(r * i)).join(','),
        ),
      ].join('\n') + '\n';
    const thousand = await ingest(write('wide.csv', wide(1000)), 'wide.csv');
    assert.equal(thousand.result.tableSchema.fields.length, 1000);
    assert.equal(thousand.rows[19]?.['c999'], 19n * 999n);
    await assert.rejects(
      ingest(write('wider.csv', wide(20_000)), 'wider.csv'),
      /20000 columns; tables of up to 1000 columns/,
    );
    const cell = 'ລາວ'.repeat(3_500_000);
    const big = await ingest(write('cell.csv', `a,b\n1,"${cell}"\n2,x\n`), 'cell.csv');
    assert.equal(big.rows[0]?.['b'], cell);
    // Its line is over DuckDB's usual limit of 2 MiB: DuckDB is told, and reads the file in place.
    assert.equal(
      big.result.report.decisions.find((d) => d.topic === 'bulk-read')?.value,
      'in-place',
    );
    // The report quotes cells, but only their start: it stays small whatever they hold.
    assert.ok(JSON.stringify(big.result.report).length < 10_000);
    assert.match(
      big.result.report.decisions.find(
        (d) => d.topic === 'column-type' && /free text/.test(d.reason),
      )?.reason ?? '',
      /e\.g\. '(ລາວ){13}ລ…', 'x'/,
    );
  });
});
