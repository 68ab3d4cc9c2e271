import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import iconv from 'iconv-lite';
import { Invalid } from '../src/lib/errors.js';
import {
  UnreadableSource,
  openFixedWidth,
  openJson,
  openNdjson,
  parseFixedWidthLayout,
} from '../src/datastore/readers/index.js';
import { fixture, readAll, temporaryDirectory } from './datastore-readers-support.js';

const dir = temporaryDirectory(after);

describe('JSON reader', () => {
  it('reads an array of objects under a header of every key, nested values as JSON text', async () => {
    const source = await openJson(fixture('provinces.json'), {});
    assert.equal(source.format, 'json');
    const { rows, report } = await readAll(source);
    assert.deepEqual(rows, [
      { rowNumber: 0, cells: ['pcode', 'name_lo', 'name_en', 'codes', 'capital', 'order'] },
      { rowNumber: 1, cells: ['LA01', 'ນະຄອນຫຼວງວຽງຈັນ', 'Vientiane Capital', '', '', ''] },
      {
        rowNumber: 2,
        cells: ['LA02', 'ຜົ້ງສາລີ', 'Phongsaly', '{"iso":"LA-PH","geonames":"LA.18"}', '', ''],
      },
      { rowNumber: 3, cells: ['LA03', 'ຫຼວງນ້ຳທາ', 'Louangnamtha', '', '', '3'] },
      { rowNumber: 4, cells: ['LA04', 'ອຸດົມໄຊ', 'Oudomxai', '', '', ''] },
    ]);
    assert.equal(report.stats.errors, 0);
    assert.deepEqual(
      report.decisions.map((decision) => decision.value),
      ['array-of-objects'],
    );
  });

  it('splits a big array in chunks of any size (strings with brackets, escapes, split characters)', async () => {
    const records = Array.from({ length: 3000 }, (_, i) => ({
      id: i,
      note: `ແຂວງ ] } { [ \\" ${i}`,
      n: i / 4,
    }));
    const file = join(dir, 'big.json');
    writeFileSync(file, JSON.stringify(records));
    const { rows } = await readAll(await openJson(file, {}));
    assert.equal(rows.length, 3001);
    assert.deepEqual(rows[2999], {
      rowNumber: 2999,
      cells: ['2998', 'ແຂວງ ] } { [ \\" 2998', '749.5'],
    });
  });

  it('reads an array of arrays as rows, and refuses broken JSON', async () => {
    const file = join(dir, 'table.json');
    writeFileSync(file, '[["ລະຫັດ","ຊື່"],["LA01","ນະຄອນຫຼວງວຽງຈັນ"],["LA02",null]]');
    const { rows } = await readAll(await openJson(file, {}));
    assert.deepEqual(rows, [
      { rowNumber: 1, cells: ['ລະຫັດ', 'ຊື່'] },
      { rowNumber: 2, cells: ['LA01', 'ນະຄອນຫຼວງວຽງຈັນ'] },
      { rowNumber: 3, cells: ['LA02', ''] },
    ]);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '[{"a":1},{"a":2,}]');
    await assert.rejects(
      openJson(broken, {}),
      (error: unknown) =>
        error instanceof UnreadableSource && /not valid JSON near record 2/.test(error.message),
    );
    writeFileSync(broken, '[{"a":1},{"a":2}');
    await assert.rejects(openJson(broken, {}), /ends before it is complete/);
  });

  it('keeps numbers a double would round as the file wrote them, nested ones too', async () => {
    // JSON.parse reads 9007199254740993 as ...992 and 1e400 as Infinity.
    const file = join(dir, 'exact.json');
    writeFileSync(
      file,
      '[{"id": 9007199254740993, "big": -12345678901234567890, "share": 123456789.123456789,' +
        ' "nested": {"id": 9007199254740993, "xs": [1e400, 0.5]}, "text": "9007199254740993\\" 1e999"},' +
        ' {"id": 1, "big": 2, "share": 0.25, "nested": null, "text": "x"}]',
    );
    const { rows } = await readAll(await openJson(file, {}));
    assert.deepEqual(rows.slice(1), [
      {
        rowNumber: 1,
        cells: [
          '9007199254740993',
          '-12345678901234567890',
          '123456789.123456789',
          '{"id":9007199254740993,"xs":[1e400,0.5]}',
          '9007199254740993" 1e999',
        ],
      },
      { rowNumber: 2, cells: ['1', '2', '0.25', '', 'x'] },
    ]);
    const lines = join(dir, 'exact.ndjson');
    writeFileSync(lines, '{"id": 9007199254740993}\n{"id": 9007199254740995}\n');
    const ndjson = await readAll(await openNdjson(lines, {}));
    assert.deepEqual(
      ndjson.rows.map((row) => row.cells[0]),
      ['id', '9007199254740993', '9007199254740995'],
    );
  });

  it('reads a key spelt composed in one record and decomposed in the next as one column', async () => {
    // ກຸ່ມ with its vowel and tone mark in either order: one word, the same in NFC.
    const typed = 'ກ\u0ec8\u0eb8ມ';
    const canonical = typed.normalize('NFC');
    assert.notEqual(typed, canonical);
    const lines = join(dir, 'spellings.ndjson');
    writeFileSync(lines, `{"${canonical}": 1, "id": "a"}\n{"${typed}": 2, "id": "b"}\n`);
    assert.deepEqual((await readAll(await openNdjson(lines, {}))).rows, [
      { rowNumber: 0, cells: [canonical, 'id'] },
      { rowNumber: 1, cells: ['1', 'a'] },
      { rowNumber: 2, cells: ['2', 'b'] },
    ]);
    const file = join(dir, 'spellings.json');
    // Both spellings in one record: neither value is lost, the second gets a column of its own.
    writeFileSync(file, `[{"${typed}": 1}, {"${canonical}": 2, "${typed}": 3}]`);
    assert.deepEqual((await readAll(await openJson(file, {}))).rows, [
      { rowNumber: 0, cells: [canonical, canonical] },
      { rowNumber: 1, cells: ['1', ''] },
      { rowNumber: 2, cells: ['2', '3'] },
    ]);
  });

  it('reads GeoJSON features: properties as columns and the geometry as GeoJSON text', async () => {
    const source = await openJson(fixture('provinces.geojson'), {});
    assert.equal(source.format, 'geojson');
    const { rows } = await readAll(source);
    assert.deepEqual(rows, [
      { rowNumber: 0, cells: ['pcode', 'name_lo', 'note', 'geometry'] },
      {
        rowNumber: 1,
        cells: ['LA01', 'ນະຄອນຫຼວງວຽງຈັນ', '', '{"type":"Point","coordinates":[102.6,17.97]}'],
      },
      { rowNumber: 2, cells: ['', '', '', '{"type":"Point","coordinates":[102.1,21.68]}'] },
      { rowNumber: 3, cells: ['LA03', '', 'ມີ ] ແລະ } ໃນ "ຂໍ້ຄວາມ"', ''] },
    ]);
  });

  it('names a property called geometry by its path, leaving geometry to the geometry', async () => {
    const file = join(dir, 'survey.geojson');
    writeFileSync(
      file,
      JSON.stringify({
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            properties: { name: 'ບ້ານ ໂພນສີ', Geometry: 'polygon survey' },
            geometry: { type: 'Point', coordinates: [102.6, 17.97] },
          },
        ],
      }),
    );
    const { rows, report } = await readAll(await openJson(file, {}));
    assert.deepEqual(rows, [
      { rowNumber: 0, cells: ['name', 'properties.Geometry', 'geometry'] },
      {
        rowNumber: 1,
        cells: ['ບ້ານ ໂພນສີ', 'polygon survey', '{"type":"Point","coordinates":[102.6,17.97]}'],
      },
    ]);
    assert.equal(
      report.decisions.find((d) => d.topic === 'geometry-property')?.value,
      'properties.Geometry',
    );
  });
});

describe('NDJSON reader', () => {
  it('reads one object per line and reports a bad line with its number', async () => {
    const { rows, report } = await readAll(await openNdjson(fixture('provinces.ndjson'), {}));
    assert.deepEqual(rows, [
      { rowNumber: 0, cells: ['pcode', 'name_lo', 'type'] },
      { rowNumber: 1, cells: ['LA01', 'ນະຄອນຫຼວງວຽງຈັນ', ''] },
      { rowNumber: 2, cells: ['LA02', 'ຜົ້ງສາລີ', ''] },
      { rowNumber: 4, cells: ['LA03', 'ຫຼວງນ້ຳທາ', ''] },
      { rowNumber: 5, cells: ['LA04', 'ອຸດົມໄຊ', 'province'] },
    ]);
    assert.deepEqual(report.errors, [
      {
        code: 'format-error',
        rowNumber: 3,
        cell: '{"pcode": "LA99", "name_lo": "ບໍ່ຄົບ"',
        message: 'line 3 is not a JSON object; it was skipped',
      },
    ]);
  });
});

describe('fixed-width reader', () => {
  const expected = [
    { rowNumber: 0, cells: ['pcode', 'name_lo', 'name_en', 'type'] },
    { rowNumber: 3, cells: ['LA01', 'ນະຄອນຫຼວງວຽງຈັນ', 'Vientiane Capital', 'prefecture'] },
    { rowNumber: 4, cells: ['LA02', 'ຜົ້ງສາລີ', 'Phongsaly', 'province'] },
    { rowNumber: 5, cells: [] },
    { rowNumber: 6, cells: ['LA03', 'ຫຼວງນ້ຳທາ', 'Louangnamtha', 'province'] },
    { rowNumber: 7, cells: ['LA04', 'ອຸດົມໄຊ', 'Oudomxai', 'province'] },
  ];

  it('cuts Lao lines by code points with the JSON layout file', async () => {
    const layout = parseFixedWidthLayout(
      readFileSync(fixture('provinces-fixed-layout.json'), 'utf8'),
    );
    assert.equal(layout.skipLines, 2);
    const { rows, report } = await readAll(
      await openFixedWidth(fixture('provinces-fixed.txt'), { fixedWidth: layout }),
    );
    assert.deepEqual(rows, expected);
    assert.equal(report.stats.errors, 0);
    // ຫຼວງນ້ຳທາ is 9 code points but 5 grapheme clusters: graphemes would cut "Louangnamtha" short.
    assert.equal(Array.from('ຫຼວງນ້ຳທາ').length, 9);
  });

  it('reads the CSV layout file (with or without header) and a legacy encoding', async () => {
    const csv = parseFixedWidthLayout(readFileSync(fixture('provinces-fixed-layout.csv'), 'utf8'));
    assert.deepEqual(
      csv,
      parseFixedWidthLayout('pcode,1,4\nname_lo,5,20\nname_en,25,18\ntype,43,10\n'),
    );
    assert.deepEqual(csv.fields[1], { name: 'name_lo', start: 5, width: 20 });
    const file = join(dir, 'utf16.txt');
    writeFileSync(
      file,
      iconv.encode(readFileSync(fixture('provinces-fixed.txt'), 'utf8'), 'utf-16le'),
    );
    const { rows } = await readAll(
      await openFixedWidth(file, { fixedWidth: { ...csv, skipLines: 2 }, encoding: 'utf-16le' }),
    );
    assert.deepEqual(rows, expected);
  });

  it('reports text past the layout and refuses bad layouts', async () => {
    const file = join(dir, 'long.txt');
    writeFileSync(file, 'LA01ວຽງຈັນ   ເກີນ\n');
    const { rows, report } = await readAll(
      await openFixedWidth(file, {
        fixedWidth: {
          fields: [
            { name: 'pcode', start: 1, width: 4 },
            { name: 'ຊື່', start: 5, width: 9 },
          ],
        },
      }),
    );
    assert.deepEqual(rows, [
      { rowNumber: 0, cells: ['pcode', 'ຊື່'] },
      { rowNumber: 1, cells: ['LA01', 'ວຽງຈັນ'] },
    ]);
    assert.deepEqual(
      report.errors.map((error) => [error.code, error.rowNumber, error.cell]),
      [['extra-cell', 1, 'ເກີນ']],
    );
    assert.throws(() => parseFixedWidthLayout('name,start,width\npcode,0,4'), Invalid);
    assert.throws(
      () =>
        parseFixedWidthLayout(
          '{"fields":[{"name":"a","start":1,"width":2},{"name":"a","start":3,"width":2}]}',
        ),
      /names the field "a" twice/,
    );
    assert.throws(
      () => parseFixedWidthLayout('name,start,width\ncode,1,4\n CODE ,5,2'),
      /names the field "CODE" twice \(names that differ only in case are one name\)/,
    );
    await assert.rejects(openFixedWidth(file, {}), Invalid);
  });
});

describe('read progress', () => {
  it('tells how many bytes of a JSON, NDJSON, GeoJSON or fixed-width file it has read', async () => {
    const layout = parseFixedWidthLayout(
      readFileSync(fixture('provinces-fixed-layout.json'), 'utf8'),
    );
    const sources = [
      ['provinces.json', await openJson(fixture('provinces.json'), {})],
      ['provinces.geojson', await openJson(fixture('provinces.geojson'), {})],
      ['provinces.ndjson', await openNdjson(fixture('provinces.ndjson'), {})],
      [
        'provinces-fixed.txt',
        await openFixedWidth(fixture('provinces-fixed.txt'), { fixedWidth: layout }),
      ],
    ] as const;
    for (const [name, source] of sources) {
      assert.equal(source.bytesRead?.(), 0, `${name}: nothing read before its rows`);
      await readAll(source);
      assert.equal(source.bytesRead?.(), statSync(fixture(name)).size, name);
    }
  });
});
