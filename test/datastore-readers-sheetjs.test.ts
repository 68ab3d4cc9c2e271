process.env.TZ = 'America/Los_Angeles';

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import * as XLSX from '@e965/xlsx';
import { Invalid } from '../src/lib/errors.js';
import { UnreadableSource, openSheetjs } from '../src/datastore/readers/index.js';
import { provinces, readAll, temporaryDirectory } from './datastore-readers-support.js';

const dir = temporaryDirectory(after);

/** A workbook with an empty first sheet, a Lao report and typed cells, written as XLS or ODS. */
function writeWorkbook(bookType: 'biff8' | 'ods', file: string): void {
  const report = XLSX.utils.aoa_to_sheet([
    ['ລາຍຊື່ແຂວງ ສປປ ລາວ'],
    [],
    ['ລະຫັດ', 'ຊື່ແຂວງ', 'ພົນລະເມືອງ', 'ວັນທີ', 'ກວດແລ້ວ', 'ຜິດພາດ'],
    ...provinces.slice(0, 3).map((p) => [p[0], p[4]]),
    ['ໝາຍເຫດ: ຂໍ້ມູນທົດສອບ'],
  ]);
  report['C4'] = { t: 'n', v: 7664993.5 };
  report['D4'] = { t: 'n', v: 45657, z: 'dd/mm/yyyy' };
  report['D5'] = { t: 'n', v: 45352 + 30615 / 86400, z: 'yyyy-mm-dd hh:mm:ss' };
  report['E4'] = { t: 'b', v: true };
  report['F4'] = { t: 'e', v: 7 };
  report['!merges'] = [{ s: { r: 0, c: 0 }, e: { r: 0, c: 5 } }];
  const workbook = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(workbook, XLSX.utils.aoa_to_sheet([]), 'ປົກ');
  XLSX.utils.book_append_sheet(workbook, report, 'ແຂວງ');
  XLSX.utils.book_append_sheet(workbook, XLSX.utils.aoa_to_sheet([['ປີ', 2023]]), 'ປີ');
  writeFileSync(file, XLSX.write(workbook, { type: 'buffer', bookType }) as Buffer);
}

const reportRows = [
  { rowNumber: 1, cells: ['ລາຍຊື່ແຂວງ ສປປ ລາວ'] },
  { rowNumber: 2, cells: [] },
  { rowNumber: 3, cells: ['ລະຫັດ', 'ຊື່ແຂວງ', 'ພົນລະເມືອງ', 'ວັນທີ', 'ກວດແລ້ວ', 'ຜິດພາດ'] },
  {
    rowNumber: 4,
    cells: [provinces[0]?.[0], provinces[0]?.[4], '7664993.5', '2024-12-31', 'true'],
  },
  { rowNumber: 5, cells: [provinces[1]?.[0], provinces[1]?.[4], '', '2024-03-01T08:30:15'] },
  { rowNumber: 6, cells: [provinces[2]?.[0], provinces[2]?.[4]] },
  { rowNumber: 7, cells: ['ໝາຍເຫດ: ຂໍ້ມູນທົດສອບ'] },
];

for (const [bookType, format] of [
  ['biff8', 'xls'],
  ['ods', 'ods'],
] as const) {
  describe(`${format.toUpperCase()} reader`, () => {
    const file = join(dir, `ແຂວງ.${format}`);
    writeWorkbook(bookType, file);

    it('lists the sheets and reads the first non-empty one with canonical cells', async () => {
      const source = await openSheetjs(file, {});
      assert.equal(source.format, format);
      assert.deepEqual(source.sheets, [
        { name: 'ປົກ', empty: true },
        { name: 'ແຂວງ', empty: false },
        { name: 'ປີ', empty: false },
      ]);
      const { rows, report } = await readAll(source);
      assert.deepEqual(rows, reportRows);
      assert.deepEqual(report.decisions, [
        {
          topic: 'sheets',
          value: '0 "ປົກ" (empty), 1 "ແຂວງ", 2 "ປີ"',
          reason:
            "the workbook's 3 sheets, numbered from 0; another one is read by asking for its number or name (sheet)",
        },
        { topic: 'sheet', value: 'ແຂວງ', reason: 'the first non-empty sheet; "ປົກ" is empty' },
      ]);
      if (format === 'xls') {
        // SheetJS's ODS writer drops error cells; BIFF keeps them.
        assert.deepEqual(report.errors, [
          {
            code: 'type-error',
            rowNumber: 4,
            fieldNumber: 6,
            cell: '#DIV/0!',
            message: 'cell F4 holds the spreadsheet error #DIV/0!; it was read as empty',
          },
        ]);
      }
    });

    it('reads a sheet by name and by index; refuses an unknown one', async () => {
      assert.deepEqual((await readAll(await openSheetjs(file, { sheet: 'ປີ' }))).rows, [
        { rowNumber: 1, cells: ['ປີ', '2023'] },
      ]);
      assert.deepEqual((await readAll(await openSheetjs(file, { sheet: 2 }))).rows, [
        { rowNumber: 1, cells: ['ປີ', '2023'] },
      ]);
      await assert.rejects(readAll(await openSheetjs(file, { sheet: 5 })), (error: unknown) => {
        assert.ok(error instanceof Invalid);
        assert.equal(
          error.message,
          'sheet: the workbook has no sheet number 5; its sheets are "ປົກ", "ແຂວງ", "ປີ"',
        );
        return true;
      });
    });

    it('refuses a file over the size cap', async () => {
      await assert.rejects(
        openSheetjs(file, {}, 100),
        (error: unknown) =>
          error instanceof UnreadableSource &&
          /read up to 0 MB. Save it as XLSX or CSV/.test(error.message),
      );
    });
  });
}

describe('SheetJS reader, 1904 date system', () => {
  it('gives every cell of a range merged down rows its value, in XLS and ODS', async () => {
    for (const bookType of ['biff8', 'ods'] as const) {
      const sheet = XLSX.utils.aoa_to_sheet([
        ['ແຂວງ', 'ເມືອງ', 'ປະຊາກອນ'],
        ['ນະຄອນຫຼວງວຽງຈັນ', 'ຈັນທະບູລີ', 74000],
        [null, 'ສີໂຄດຕະບອງ', 128000],
        ['ຫຼວງພະບາງ', 'ຊຽງເງິນ', 32000],
      ]);
      sheet['!merges'] = [{ s: { r: 1, c: 0 }, e: { r: 2, c: 0 } }];
      const workbook = XLSX.utils.book_new();
      XLSX.utils.book_append_sheet(workbook, sheet, 'ເມືອງ');
      const file = join(dir, `merged.${bookType === 'ods' ? 'ods' : 'xls'}`);
      writeFileSync(file, XLSX.write(workbook, { type: 'buffer', bookType }) as Buffer);
      const { rows } = await readAll(await openSheetjs(file, {}));
      assert.deepEqual(
        rows.map((row) => row.cells[0]),
        ['ແຂວງ', 'ນະຄອນຫຼວງວຽງຈັນ', 'ນະຄອນຫຼວງວຽງຈັນ', 'ຫຼວງພະບາງ'],
        bookType,
      );
    }
  });

  it('reads a time cell of a 1904 workbook as a time of day, not as 1904-01-01', async () => {
    const sheet = XLSX.utils.aoa_to_sheet([['ວັນທີ', 'ເວລາ']]);
    sheet['A2'] = { t: 'n', v: 42383, z: 'yyyy-mm-dd' };
    sheet['B2'] = { t: 'n', v: 0.5729166666666666, z: 'hh:mm' };
    sheet['!ref'] = 'A1:B2';
    const workbook = XLSX.utils.book_new();
    workbook.Workbook = { WBProps: { date1904: true } };
    XLSX.utils.book_append_sheet(workbook, sheet, 'mac');
    const file = join(dir, 'mac-1904.xls');
    writeFileSync(file, XLSX.write(workbook, { type: 'buffer', bookType: 'biff8' }) as Buffer);
    const { rows } = await readAll(await openSheetjs(file, {}));
    assert.deepEqual(rows[1], { rowNumber: 2, cells: ['2020-01-15', '13:45:00'] });
  });
});

describe('SheetJS reader, dates before March 1900', () => {
  it('reads them as Excel numbers them, and an ODS date before 1900 as written', async () => {
    for (const bookType of ['biff8', 'ods'] as const) {
      const sheet = XLSX.utils.aoa_to_sheet([['ວັນທີ']]);
      sheet['A2'] = { t: 'n', v: 1, z: 'yyyy-mm-dd' };
      sheet['A3'] = { t: 'n', v: 59, z: 'yyyy-mm-dd' };
      sheet['A4'] = { t: 'n', v: 61, z: 'yyyy-mm-dd' };
      // SheetJS writes an ODS date as the ISO date it is: office:date-value="1850-01-01".
      sheet['A5'] = { t: 'd', v: new Date(Date.UTC(1850, 0, 1)), z: 'yyyy-mm-dd' };
      sheet['!ref'] = 'A1:A5';
      const workbook = XLSX.utils.book_new();
      XLSX.utils.book_append_sheet(workbook, sheet, 'ປະຫວັດ');
      const file = join(dir, `early-dates.${bookType}`);
      writeFileSync(file, XLSX.write(workbook, { type: 'buffer', bookType }) as Buffer);
      const { rows } = await readAll(await openSheetjs(file, {}));
      assert.deepEqual(
        rows.slice(1).map((row) => row.cells[0]),
        ['1900-01-01', '1900-02-28', '1900-03-01', '1850-01-01'],
        bookType,
      );
    }
  });
});

describe('SheetJS reader, hidden sheets', () => {
  it('passes over a hidden sheet of an XLS to the first one shown, or reads it when all are hidden', async () => {
    const workbook = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(workbook, XLSX.utils.aoa_to_sheet([['ລາຍການ']]), 'lookup');
    XLSX.utils.book_append_sheet(workbook, XLSX.utils.aoa_to_sheet([['ຂໍ້ມູນ']]), 'data');
    workbook.Workbook = { Sheets: [{ Hidden: 1 }, { Hidden: 0 }] };
    const file = join(dir, 'hidden.xls');
    writeFileSync(file, XLSX.write(workbook, { type: 'buffer', bookType: 'biff8' }) as Buffer);
    const shown = await readAll(await openSheetjs(file, {}));
    assert.deepEqual(shown.rows, [{ rowNumber: 1, cells: ['ຂໍ້ມູນ'] }]);
    assert.equal(
      shown.report.decisions.find((decision) => decision.topic === 'sheet')?.reason,
      'the first non-empty sheet that is not hidden; "lookup" is hidden',
    );
    workbook.Workbook = { Sheets: [{ Hidden: 1 }, { Hidden: 2 }] };
    writeFileSync(file, XLSX.write(workbook, { type: 'buffer', bookType: 'biff8' }) as Buffer);
    const allHidden = await readAll(await openSheetjs(file, {}));
    assert.deepEqual(allHidden.rows, [{ rowNumber: 1, cells: ['ລາຍການ'] }]);
    assert.equal(
      allHidden.report.decisions.find((decision) => decision.topic === 'sheet')?.reason,
      'the first non-empty sheet, though hidden: every sheet with data is hidden',
    );
  });
});

describe('SheetJS reader refusals', () => {
  it('refuses a password-protected workbook and a file that is not a workbook', async () => {
    const cfb = XLSX.CFB as {
      utils: { cfb_new: () => object; cfb_add: (c: object, p: string, d: Buffer) => void };
      write: (c: object, o: { type: 'buffer' }) => Buffer;
    };
    const container = cfb.utils.cfb_new();
    cfb.utils.cfb_add(container, '/EncryptionInfo', Buffer.from([4, 0, 4, 0, 0x40, 0, 0, 0]));
    cfb.utils.cfb_add(container, '/EncryptedPackage', Buffer.alloc(5000, 7));
    const locked = join(dir, 'locked.xls');
    writeFileSync(locked, cfb.write(container, { type: 'buffer' }));
    await assert.rejects(openSheetjs(locked, {}), {
      message: 'the workbook is password-protected; remove the password and upload it again',
    });
    const text = join(dir, 'text.ods');
    writeFileSync(text, 'ລະຫັດ,ຊື່\nLA01,ວຽງຈັນ\n');
    await assert.rejects(openSheetjs(text, {}), {
      message: 'the file is not an XLS or ODS workbook',
    });
  });
});
