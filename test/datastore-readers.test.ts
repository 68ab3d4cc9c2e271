// Dates must not depend on the server's zone: run this file west of UTC, where a date-only cell
// read through local time would fall on the previous day.
process.env.TZ = 'Pacific/Honolulu';

import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import * as XLSX from '@e965/xlsx';
import ExcelJS from 'exceljs';
import { ReportCollector } from '../src/datastore/report.js';
import { Invalid } from '../src/lib/errors.js';
import { UnreadableSource, openSheetjs, openXlsx } from '../src/datastore/readers/index.js';
import { fixture, provinces, readAll, temporaryDirectory } from './datastore-readers-support.js';

const dir = temporaryDirectory(after);
const report = fixture('lao-provinces-report.xlsm');

interface ZipPart {
  name: string;
  data: Buffer;
  /** What the directory claims; defaults to the real size. */
  declaredSize?: number;
}

/** A deflated zip whose directory says what the test wants; CRCs are not checked by the guard. */
function writeZip(file: string, parts: ZipPart[]): void {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const part of parts) {
    const name = Buffer.from(part.name);
    const packed = deflateRawSync(part.data);
    const size = part.declaredSize ?? part.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += 30 + name.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  writeFileSync(file, Buffer.concat([...locals, directory, end]));
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof UnreadableSource, `expected UnreadableSource, got ${String(error)}`);
  return error.message;
}

describe('XLSX reader', () => {
  it('lists every sheet and reads the first non-empty one, title and notes included', async () => {
    const source = await openXlsx(report, {});
    assert.equal(source.format, 'xlsx');
    assert.deepEqual(source.sheets, [
      { name: 'ປົກ', empty: true },
      { name: 'ແຂວງ', empty: false },
      { name: 'ສະຖິຕິ', empty: false },
    ]);
    const { rows, report: result } = await readAll(source);
    const last = 5 + provinces.length + 1;
    assert.deepEqual(rows, [
      { rowNumber: 1, cells: ['ລາຍຊື່ແຂວງ ແລະ ນະຄອນຫຼວງ ສປປ ລາວ'] },
      { rowNumber: 2, cells: ['ແຫຼ່ງຂໍ້ມູນ: ຂໍ້ມູນທົດສອບ'] },
      { rowNumber: 3, cells: [] },
      { rowNumber: 4, cells: ['ລະຫັດ', 'ຊື່ແຂວງ', 'ຊື່ອັງກິດ', 'ປະເພດ'] },
      ...provinces.map((p, i) => ({ rowNumber: 5 + i, cells: [p[0], p[4], p[5], p[3]] })),
      { rowNumber: last - 1, cells: [] },
      { rowNumber: last, cells: ['ໝາຍເຫດ: ນະຄອນຫຼວງວຽງຈັນ ແມ່ນ ນະຄອນຫຼວງ.'] },
    ]);
    assert.equal(rows[5]?.cells[1], 'ຜົ້ງສາລີ');
    assert.deepEqual(result.decisions, [
      {
        topic: 'sheets',
        value: '0 "ປົກ" (empty), 1 "ແຂວງ", 2 "ສະຖິຕິ"',
        reason:
          "the workbook's 3 sheets, numbered from 0; another one is read by asking for its number or name (sheet)",
      },
      { topic: 'sheet', value: 'ແຂວງ', reason: 'the first non-empty sheet; "ປົກ" is empty' },
    ]);
    assert.equal(result.stats.errors, 0);
  });

  const statsRows = [
    { rowNumber: 1, cells: ['ປີ', 'ພົນລະເມືອງ', '', 'ວັນທີ', 'ອັດຕາ', 'ລວມ', 'ກວດແລ້ວ'] },
    // A1:A2 is merged: the label is in both rows, as the sheet shows it.
    { rowNumber: 2, cells: ['ປີ', 'ຈຳນວນ', 'ປ່ຽນແປງ'] },
    { rowNumber: 3, cells: ['2021', '7453194', '', '2021-12-31', 'ເພີ່ມ 1,4%', '', 'true'] },
    { rowNumber: 4, cells: ['2022', '7559007', '105813', '2022-12-31', '', '', 'false'] },
    { rowNumber: 5, cells: ['2023', '7664993', '105986', '2023-12-31', '', '', 'true'] },
    { rowNumber: 6, cells: ['', '0.30000000000000004', '', '2024-03-01T08:30:15'] },
  ];

  it('reads a sheet by name: cached formula results, rich text, dates without a day shift, errors', async () => {
    const { rows, report: result } = await readAll(await openXlsx(report, { sheet: 'ສະຖິຕິ' }));
    assert.deepEqual(rows, statsRows);
    assert.deepEqual(result.errors, [
      {
        code: 'type-error',
        rowNumber: 4,
        fieldNumber: 5,
        cell: '#DIV/0!',
        message: 'cell E4 holds the spreadsheet error #DIV/0!; it was read as empty',
      },
    ]);
    assert.deepEqual(
      result.decisions.map((decision) => [decision.topic, decision.value]),
      [
        ['sheets', '0 "ປົກ" (empty), 1 "ແຂວງ", 2 "ສະຖິຕິ"'],
        ['sheet', 'ສະຖິຕິ'],
        ['merged-cells', '1'],
        ['formula-without-value', '1'],
      ],
    );
    assert.match(result.decisions[3]?.reason ?? '', /first: F3/);
  });

  it('reads a 1904 workbook (Excel for Mac): formula dates and time cells as the sheet shows them', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.properties.date1904 = true;
    const sheet = workbook.addWorksheet('ວັນທີ');
    sheet.addRow(['ວັນທີ', 'ກຳນົດ', 'ເວລາ']);
    sheet.addRow([
      new Date(Date.UTC(2020, 0, 15)),
      // Saved result 42384: 2020-01-16 counted from 1904, not 2016-01-15 counted from 1900.
      { formula: 'A2+1', result: new Date(Date.UTC(2020, 0, 16)) },
      new Date(Date.UTC(1904, 0, 1, 13, 45)),
    ]);
    sheet.getColumn(2).numFmt = 'yyyy-mm-dd';
    sheet.getColumn(3).numFmt = 'hh:mm';
    const file = join(dir, 'mac-1904.xlsx');
    await workbook.xlsx.writeFile(file);
    const { rows } = await readAll(await openXlsx(file, {}));
    assert.deepEqual(rows[1], { rowNumber: 2, cells: ['2020-01-15', '2020-01-16', '13:45:00'] });
  });

  it('reads the dates of early 1900 as Excel numbers them, and dates before 1900 as dates', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('ປະຫວັດ');
    sheet.addRow(['ວັນທີ']);
    // Excel's serials 1, 59 and 61; 60 is its 29 February 1900.
    for (const serial of [1, 59, 61]) sheet.addRow([serial]);
    sheet.addRow([new Date(Date.UTC(1850, 0, 1))]);
    sheet.getColumn(1).numFmt = 'yyyy-mm-dd';
    const file = join(dir, 'early-dates.xlsx');
    await workbook.xlsx.writeFile(file);
    const { rows } = await readAll(await openXlsx(file, {}));
    assert.deepEqual(
      rows.slice(1).map((row) => row.cells[0]),
      ['1900-01-01', '1900-02-28', '1900-03-01', '1850-01-01'],
    );
  });

  it('passes over a hidden sheet (a lookup list) to the first sheet the workbook shows', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('ລາຍການ', { state: 'hidden' }).addRow(['LA01', 'ວຽງຈັນ']);
    workbook.addWorksheet('ເກົ່າ', { state: 'veryHidden' }).addRow(['old']);
    workbook.addWorksheet('ຂໍ້ມູນ').addRow(['ລະຫັດ', 'ຈຳນວນ']);
    const file = join(dir, 'hidden-lookup.xlsx');
    await workbook.xlsx.writeFile(file);
    const { rows, report: result } = await readAll(await openXlsx(file, {}));
    assert.deepEqual(rows, [{ rowNumber: 1, cells: ['ລະຫັດ', 'ຈຳນວນ'] }]);
    assert.deepEqual(
      result.decisions.map((decision) => [decision.topic, decision.value, decision.reason]),
      [
        [
          'sheets',
          '0 "ລາຍການ" (hidden), 1 "ເກົ່າ" (hidden), 2 "ຂໍ້ມູນ"',
          "the workbook's 3 sheets, numbered from 0; another one is read by asking for its number or name (sheet)",
        ],
        [
          'sheet',
          'ຂໍ້ມູນ',
          'the first non-empty sheet that is not hidden; "ລາຍການ", "ເກົ່າ" are hidden',
        ],
      ],
    );
    // Asked for, a hidden sheet is read.
    const asked = await readAll(await openXlsx(file, { sheet: 0 }));
    assert.deepEqual(asked.rows, [{ rowNumber: 1, cells: ['LA01', 'ວຽງຈັນ'] }]);
  });

  it('keeps a formula whose saved result is 0, and reports one whose saved result is an error', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('ງົບປະມານ');
    sheet.addRow(['ແຜນ', 'ຈ່າຍ', 'ເຫຼືອ', 'ສ່ວນ']);
    sheet.addRow([
      100,
      100,
      { formula: 'A2-B2', result: 0 },
      { formula: 'C2/0', result: { error: '#DIV/0!' } },
    ]);
    sheet.addRow([100, 40, { formula: 'A3-B3', result: 60 }, { formula: 'C3/A3', result: 0.6 }]);
    const file = join(dir, 'zero-results.xlsx');
    await workbook.xlsx.writeFile(file);
    const { rows, report: result } = await readAll(await openXlsx(file, {}));
    assert.deepEqual(rows.slice(1), [
      { rowNumber: 2, cells: ['100', '100', '0'] },
      { rowNumber: 3, cells: ['100', '40', '60', '0.6'] },
    ]);
    assert.deepEqual(result.errors, [
      {
        code: 'type-error',
        rowNumber: 2,
        fieldNumber: 4,
        cell: '#N/A, #DIV/0! or another error',
        message:
          'cell D2 holds the spreadsheet error #N/A, #DIV/0! or another error; it was read as empty',
      },
    ]);
    assert.equal(
      result.decisions.some((decision) => decision.topic === 'formula-without-value'),
      false,
    );
  });

  it("decodes Excel's _xHHHH_ escapes: a carriage return, and an underscore written as _x005F_", async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('ໝາຍເຫດ');
    // What Excel writes for a cell pasted from Windows text, and for the literal text _x000D_
    // (exceljs writes strings as given).
    sheet.addRow(['ໝາຍເຫດ']);
    sheet.addRow(['ແຖວ 1_x000D_\nແຖວ 2']);
    sheet.addRow(['code _x005F_x000D_ as typed']);
    const file = join(dir, 'escapes.xlsx');
    await workbook.xlsx.writeFile(file);
    const { rows } = await readAll(await openXlsx(file, {}));
    assert.deepEqual(
      rows.slice(1).map((row) => row.cells[0]),
      ['ແຖວ 1\r\nແຖວ 2', 'code _x000D_ as typed'],
    );
  });

  it('gives every cell of a range merged down rows its value: a province over its districts', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('ເມືອງ');
    sheet.addRow(['ແຂວງ', 'ເມືອງ', 'ປະຊາກອນ']);
    sheet.addRow(['', '', 2019, 2020]);
    sheet.addRow(['ນະຄອນຫຼວງວຽງຈັນ', 'ຈັນທະບູລີ', 74000, 75000]);
    sheet.addRow(['', 'ສີໂຄດຕະບອງ', 128000, 130000]);
    sheet.addRow(['', 'ໄຊເສດຖາ', 117000, 119000]);
    sheet.addRow(['ຫຼວງພະບາງ', 'ຊຽງເງິນ', 32000, 33000]);
    sheet.mergeCells('A1:A2');
    sheet.mergeCells('B1:B2');
    sheet.mergeCells('C1:D1');
    sheet.mergeCells('A3:A5');
    const file = join(dir, 'merged.xlsx');
    await workbook.xlsx.writeFile(file);
    const { rows, report: result } = await readAll(await openXlsx(file, {}));
    assert.deepEqual(
      rows.map((row) => row.cells),
      [
        ['ແຂວງ', 'ເມືອງ', 'ປະຊາກອນ'],
        ['ແຂວງ', 'ເມືອງ', '2019', '2020'],
        ['ນະຄອນຫຼວງວຽງຈັນ', 'ຈັນທະບູລີ', '74000', '75000'],
        ['ນະຄອນຫຼວງວຽງຈັນ', 'ສີໂຄດຕະບອງ', '128000', '130000'],
        ['ນະຄອນຫຼວງວຽງຈັນ', 'ໄຊເສດຖາ', '117000', '119000'],
        ['ຫຼວງພະບາງ', 'ຊຽງເງິນ', '32000', '33000'],
      ],
    );
    assert.match(
      result.decisions.find((d) => d.topic === 'merged-cells')?.reason ?? '',
      /^3 merged ranges span several rows \(first: A1:A2\)/,
    );
  });

  it('reads a sheet by 0-based index, and refuses an unknown sheet naming the sheets there are', async () => {
    const { rows, report: result } = await readAll(await openXlsx(report, { sheet: 2 }));
    assert.deepEqual(rows, statsRows);
    assert.deepEqual(result.decisions[1], {
      topic: 'sheet',
      value: 'ສະຖິຕິ',
      reason: 'sheet number 2 (counting from 0) was asked for',
    });
    const source = await openXlsx(report, { sheet: 'ປະຊາກອນ' });
    await assert.rejects(readAll(source), (error: unknown) => {
      assert.ok(error instanceof Invalid);
      assert.equal(
        error.message,
        'sheet: the workbook has no sheet "ປະຊາກອນ"; its sheets are "ປົກ", "ແຂວງ", "ສະຖິຕິ"',
      );
      return true;
    });
  });

  it('refuses a zip bomb before inflating it: declared size, ratio, and a lying directory', async () => {
    const huge = join(dir, 'declared.xlsx');
    writeZip(huge, [
      { name: 'xl/worksheets/sheet1.xml', data: Buffer.from('<x/>'), declaredSize: 3 * 1024 ** 3 },
    ]);
    assert.match(
      await refusal(openXlsx(huge, {})),
      /would unpack to 3072 MB, more than the limit of 2048 MB; it may be a zip bomb/,
    );

    const zeros = join(dir, 'ratio.xlsx');
    writeZip(zeros, [{ name: 'xl/worksheets/sheet1.xml', data: Buffer.alloc(4 * 1024 ** 2) }]);
    const limits = {
      maxUncompressedBytes: 2 * 1024 ** 3,
      maxRatio: 200,
      ratioAppliesAbove: 1024 ** 2,
    };
    assert.match(
      await refusal(openXlsx(zeros, {}, limits)),
      /unpacks to \d+ times its size.*zip bomb/,
    );

    const lying = join(dir, 'lying.xlsx');
    writeZip(lying, [
      { name: 'xl/worksheets/sheet1.xml', data: Buffer.alloc(8 * 1024 ** 2), declaredSize: 1000 },
    ]);
    assert.match(
      await refusal(openXlsx(lying, {})),
      /sheet1\.xml unpacks to more than its declared size/,
    );
  });

  it('refuses an ODS zip bomb before SheetJS inflates it in memory', async () => {
    const mimetype = {
      name: 'mimetype',
      data: Buffer.from('application/vnd.oasis.opendocument.spreadsheet'),
    };
    const declared = join(dir, 'declared.ods');
    writeZip(declared, [
      mimetype,
      { name: 'content.xml', data: Buffer.from('<x/>'), declaredSize: 300 * 1024 ** 2 },
    ]);
    assert.match(
      await refusal(openSheetjs(declared, {})),
      /would unpack to 300 MB, more than the limit of 256 MB; it may be a zip bomb/,
    );
    const lying = join(dir, 'lying.ods');
    writeZip(lying, [
      mimetype,
      { name: 'content.xml', data: Buffer.alloc(8 * 1024 ** 2), declaredSize: 1000 },
    ]);
    assert.match(
      await refusal(openSheetjs(lying, {})),
      /content\.xml unpacks to more than its declared size/,
    );
  });

  it('refuses an entry hidden between the entries the directory lists', async () => {
    const file = join(dir, 'hidden.xlsx');
    writeZip(file, [
      { name: 'a.xml', data: Buffer.from('<a/>') },
      { name: 'xl/worksheets/sheet1.xml', data: Buffer.alloc(10_000) },
    ]);
    // Drop the second entry from the directory, keeping its bytes in the file.
    const bytes = readFileSync(file);
    const end = bytes.length - 22;
    const directoryOffset = bytes.readUInt32LE(end + 16);
    const firstCentral = 46 + 'a.xml'.length;
    const patched = Buffer.concat([
      bytes.subarray(0, directoryOffset + firstCentral),
      bytes.subarray(end),
    ]);
    patched.writeUInt16LE(1, patched.length - 22 + 8);
    patched.writeUInt16LE(1, patched.length - 22 + 10);
    patched.writeUInt32LE(firstCentral, patched.length - 22 + 12);
    writeFileSync(file, patched);
    assert.match(
      await refusal(openXlsx(file, {})),
      /damaged or is not a real XLSX or ODS workbook/,
    );
  });

  it('refuses a password-protected workbook with a message the publisher can act on', async () => {
    const cfb = XLSX.CFB as CfbApi;
    const container = cfb.utils.cfb_new();
    cfb.utils.cfb_add(container, '/EncryptionInfo', Buffer.from([4, 0, 4, 0, 0x40, 0, 0, 0]));
    cfb.utils.cfb_add(container, '/EncryptedPackage', Buffer.alloc(5000, 7));
    const file = join(dir, 'ລັບ.xlsx');
    writeFileSync(file, cfb.write(container, { type: 'buffer' }));
    assert.equal(
      await refusal(openXlsx(file, {})),
      'the workbook is password-protected; remove the password and upload it again',
    );
  });

  it('refuses a corrupt workbook with a clear message', async () => {
    const truncated = join(dir, 'truncated.xlsx');
    writeFileSync(truncated, readFileSync(report).subarray(0, 4000));
    assert.equal(
      await refusal(openXlsx(truncated, {})),
      'the file is damaged or is not a real XLSX or ODS workbook (its zip structure cannot be read)',
    );
    const text = join(dir, 'text.xlsx');
    writeFileSync(text, 'ລະຫັດ,ຊື່ແຂວງ\nLA01,ນະຄອນຫຼວງວຽງຈັນ\n');
    assert.match(await refusal(openXlsx(text, {})), /not a real XLSX or ODS workbook/);
    const flipped = join(dir, 'flipped.xlsx');
    copyFileSync(report, flipped);
    const bytes = readFileSync(flipped);
    for (let i = 200; i < 2000; i += 1) bytes[i] = 0x55;
    writeFileSync(flipped, bytes);
    assert.match(await refusal(openXlsx(flipped, {})), /damaged/);
  });
});

/** The part of SheetJS's bundled CFB library used here; the package types it as `any`. */
interface CfbApi {
  utils: {
    cfb_new: () => object;
    cfb_add: (container: object, path: string, data: Buffer) => void;
  };
  write: (container: object, options: { type: 'buffer' }) => Buffer;
}

describe('XLSX read progress', () => {
  it('tells how many bytes of the workbook it has read', async () => {
    const source = await openXlsx(report, {});
    assert.equal(source.bytesRead?.(), 0);
    await readAll(source);
    assert.equal(source.bytesRead?.(), statSync(report).size);
  });
});

describe('XLSX without shared strings', () => {
  it('reads the sheet as it streams, not from a copy in a temporary file', async () => {
    // exceljs's writer without shared strings writes each string in its cell, as others do.
    const file = join(dir, 'inline-strings.xlsx');
    const book = new ExcelJS.stream.xlsx.WorkbookWriter({
      filename: file,
      useSharedStrings: false,
    });
    const sheet = book.addWorksheet('ຂໍ້ມູນ');
    sheet.addRow(['id', 'ເມືອງ']).commit();
    for (let i = 1; i <= 60_000; i += 1) sheet.addRow([i, `ເມືອງ ${(i * 7919) % 100_003}`]).commit();
    await book.commit();
    const source = await openXlsx(file, {});
    let firstBatchBytes: number | undefined;
    let rows = 0;
    for await (const batch of source.rows(new ReportCollector())) {
      firstBatchBytes ??= source.bytesRead?.();
      rows += batch.length;
    }
    assert.equal(rows, 60_001);
    // Parked in a file first, the whole sheet had been read before its first row came.
    const size = statSync(file).size;
    assert.ok((firstBatchBytes ?? size) < size / 2, `${firstBatchBytes} of ${size} bytes`);
    assert.equal(source.bytesRead?.(), size);
  });
});

describe('XLSX written with the sheets before the workbook part', () => {
  it('reads every time (exceljs lost the workbook part on most reads of such files)', async () => {
    // SheetJS puts xl/worksheets/sheet1.xml before xl/workbook.xml, as some other writers do.
    const sheet = XLSX.utils.aoa_to_sheet([
      ['ແຂວງ', 'ປະຊາກອນ'],
      ['ຜົ້ງສາລີ', 191000],
    ]);
    const book = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(book, XLSX.utils.aoa_to_sheet([]), 'ປົກ');
    XLSX.utils.book_append_sheet(book, sheet, 'ແຂວງ');
    const file = join(dir, 'sheets-first.xlsx');
    writeFileSync(file, XLSX.write(book, { type: 'buffer', bookType: 'xlsx' }) as Buffer);
    for (let read = 0; read < 15; read += 1) {
      const { rows } = await readAll(await openXlsx(file, {}));
      assert.deepEqual(rows.at(-1)?.cells, ['ຜົ້ງສາລີ', '191000'], `read ${read}`);
    }
  });
});
