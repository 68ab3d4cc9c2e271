import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MergeFiller, mergedRangesOfXml } from '../src/datastore/readers/merged-cells.js';
import { ReportCollector } from '../src/datastore/report.js';

describe('merged cells', () => {
  it('reads the ranges of a sheet part, prefixed or not, a lone cell included', () => {
    const xml =
      '</sheetData><x:mergeCells count="3"><x:mergeCell ref="B2:C4"/>' +
      '<mergeCell ref="AA10:AB10"/><mergeCell ref="D7"/><mergeCell ref="junk"/></x:mergeCells>';
    assert.deepEqual(mergedRangesOfXml(xml), [
      { top: 2, left: 2, bottom: 4, right: 3 },
      { top: 10, left: 27, bottom: 10, right: 28 },
      { top: 7, left: 4, bottom: 7, right: 4 },
    ]);
  });

  it('fills ranges that span rows, blocks whole, and leaves ranges within one row alone', () => {
    const report = new ReportCollector();
    const filler = new MergeFiller(
      [
        { top: 1, left: 2, bottom: 1, right: 3 },
        { top: 2, left: 1, bottom: 4, right: 1 },
        { top: 2, left: 3, bottom: 3, right: 4 },
        { top: 5, left: 1, bottom: 6, right: 1 },
      ],
      report,
    );
    const rows: Array<[number, string[]]> = [
      [1, ['name', 'group']],
      [2, ['ວຽງຈັນ', 'a', 'block', '']],
      [3, ['', 'b']],
      [4, ['', 'c', 'own']],
      // Row 5, the top of the last range, is absent from the file: it has no value to give.
      [6, ['', 'd']],
    ];
    assert.deepEqual(
      rows.map(([rowNumber, cells]) => filler.fill(rowNumber, cells)),
      [
        ['name', 'group'],
        ['ວຽງຈັນ', 'a', 'block', 'block'],
        ['ວຽງຈັນ', 'b', 'block', 'block'],
        ['ວຽງຈັນ', 'c', 'own'],
        ['', 'd'],
      ],
    );
    const decision = report.finish({ rows: 0, fields: 0 }).decisions[0];
    assert.equal(decision?.topic, 'merged-cells');
    assert.match(decision?.reason ?? '', /^3 merged ranges span several rows \(first: A2:A4\)/);
  });
});
