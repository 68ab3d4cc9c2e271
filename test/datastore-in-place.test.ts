// DuckDB reads clean UTF-8 delimited files in place instead of a spool of the rows read in
// JavaScript. Both ways must give the same table: each file here is read both ways (an ASCII
// file declared windows-1252 is read identically but always spooled) and the tables compared.
import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  ingestFile,
  openTableStore,
  type IngestOptions,
  type TableStore,
} from '../src/datastore/index.js';
import { LocalBlobStore } from '../src/files/index.js';

describe('reading delimited files in place', () => {
  let dir: string;
  let blobs: LocalBlobStore;
  let tables: TableStore;
  let counter = 0;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'khomoun-in-place-'));
    blobs = new LocalBlobStore(join(dir, 'blobs'));
    tables = openTableStore(join(dir, 'tables'), { memoryLimit: '128MB', threads: 1 });
  });
  after(async () => {
    tables.close();
    await blobs.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ingest = async (text: string, options: IngestOptions = {}) => {
    counter += 1;
    const path = join(dir, `file-${counter}.csv`);
    writeFileSync(path, text);
    const stored = await blobs.put(createReadStream(path), { maxBytes: 1e9 });
    const id = `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`;
    const result = await ingestFile(
      { id, blobSha256: stored.sha256, fileName: 'data.csv', options },
      { blobs, tables, workDir: join(dir, 'work') },
      () => {},
    );
    const rows = await tables.withConnection(async (c) =>
      (
        await c.runAndReadAll(`select * from "${result.tableName}" order by _row`)
      ).getRowObjectsJS(),
    );
    const read = result.report.decisions.find((d) => d.topic === 'bulk-read')?.value;
    return { result, rows, read };
  };

  /** Reads `text` both ways; returns the in-place (or not) reading after comparing the two. */
  const bothWays = async (text: string, options: IngestOptions = {}) => {
    const direct = await ingest(text, options);
    const spooled = await ingest(text, { ...options, encoding: 'windows-1252' });
    assert.equal(spooled.read, 'spooled');
    assert.deepEqual(direct.rows, spooled.rows);
    assert.deepEqual(direct.result.tableSchema, spooled.result.tableSchema);
    assert.equal(direct.result.rowCount, spooled.result.rowCount);
    const errors = (report: typeof direct.result.report) => [report.totals, report.errors];
    assert.deepEqual(errors(direct.result.report), errors(spooled.result.report));
    return direct;
  };

  const typedRows = [
    'id;amount;rate;day;flag;name',
    ...Array.from(
      { length: 300 },
      (_, i) =>
        `${i + 1};${(1000 + i * 7919).toLocaleString('de-DE')},${i % 10};${i % 100}.5%;${1 + (i % 28)}/${1 + (i % 12)}/2024;${i % 2 === 0 ? 'true' : 'false'};"Row ""${i}"";x"`,
    ),
  ];

  it('reads a clean typed file in place, with the same values and row numbers', async () => {
    const { rows, read, result } = await bothWays(`${typedRows.join('\n')}\n`);
    assert.equal(read, 'in-place');
    assert.equal(result.rowCount, 300);
    // Where the time went, step by step, in order (the worker logs them).
    assert.deepEqual(Object.keys(result.steps), [
      'copy-source',
      'start',
      'read',
      'in-place',
      'constraints',
      'store-parquet',
      'load-table',
    ]);
    assert.ok(Object.values(result.steps).every((ms) => Number.isInteger(ms) && ms >= 0));
    assert.deepEqual(rows[1], {
      _row: 3n,
      id: 2n,
      amount: 8919.1,
      rate: 1.5,
      day: new Date(Date.UTC(2024, 1, 2)),
      flag: false,
      name: 'Row "1";x',
    });
  });

  it('skips title lines above the header and keeps the source line numbers', async () => {
    const text = `Population by district\r\n"Source: census, 2015"\r\n\r\n${typedRows.slice(0, 11).join('\r\n')}\r\n`;
    const { rows, read } = await bothWays(text);
    assert.equal(read, 'in-place');
    assert.equal(rows[0]?._row, 5n);
    assert.equal(rows.length, 10);
  });

  it('spools files DuckDB would read otherwise', async () => {
    const cases: Record<string, string> = {
      'a line break inside a quoted value': 'a,b\n1,"two\nlines"\n3,four\n',
      'a short row': 'a,b,c\n1,2,3\n4,5\n6,7,8\n',
      'a long row': 'a,b\n1,2\n3,4,5\n',
      'text after a closing quote': 'a,b\n1,"x"y\n2,z\n',
      'a blank line in the body': 'a,b\n1,2\n\n3,4\n',
      'mixed line breaks': 'a,b\r\n1,2\n3,4\r\n',
    };
    for (const [name, text] of Object.entries(cases)) {
      const { read } = await bothWays(text);
      assert.equal(read, 'spooled', name);
    }
  });

  it('reads a file with type errors in place, and lists them on their lines as the spool does', async () => {
    const lines = Array.from({ length: 300 }, (_, i) => `${i},${i * 2},2024-01-${1 + (i % 28)}`);
    lines[30] = '30,oops,2024-01-03';
    lines[200] = '200,400,not a day';
    const text = `Counts by day\n\nid,count,day\n${lines.join('\n')}\nSource: ministry\n`;
    // A type the publisher forced is checked in DuckDB; the one inferred, in the read.
    const { read, result, rows } = await bothWays(text, { types: { count: { type: 'integer' } } });
    assert.equal(read, 'in-place');
    assert.equal(rows.length, 300);
    assert.equal(result.report.totals['type-error'], 2);
    assert.deepEqual(
      result.report.errors
        .filter((error) => error.code === 'type-error')
        .map((error) => [error.rowNumber, error.fieldName, error.cell]),
      [
        [34, 'count', 'oops'],
        [204, 'day', 'not a day'],
      ],
    );
    assert.equal(rows[30]?.count, null);
    assert.equal(rows[30]?._row, 34n);
  });

  it('reads a file in place whatever its header labels are: blank, repeated', async () => {
    const { rows, read, result } = await bothWays(',name,name\n0,a,x\n1,b,y\n');
    assert.equal(read, 'in-place');
    assert.deepEqual(
      result.report.errors.map((error) => error.code),
      ['blank-label', 'duplicate-label'],
    );
    assert.deepEqual(rows[1], { _row: 3n, column_1: 1n, name: 'b', name_2: 'y' });
  });

  it('reads a table with notes or blank rows below it in place, and leaves them out', async () => {
    for (const below of [
      '\nSource: ministry\n',
      ',\n\nNote: the figures for 2024 are estimates,\nSource: Lao Statistics Bureau\n',
      '\n\n,\n',
    ]) {
      const { rows, read, result } = await bothWays(`a,b\n1,2\n3,4\n${below}`);
      assert.equal(read, 'in-place', below);
      assert.equal(result.rowCount, 2);
      assert.deepEqual(
        rows.map((row) => [row._row, row.a, row.b]),
        [
          [2n, 1n, 2n],
          [3n, 3n, 4n],
        ],
      );
    }
  });

  it('reads quoted delimiters, doubled quotes and spaces exactly as the spool does', async () => {
    const text = 'code,label,note\n"001","a, b","say ""hi"""\n002,  padded  ,\n"003",,"x"\n';
    const { rows, read } = await bothWays(text);
    assert.equal(read, 'in-place');
    assert.deepEqual(
      rows.map((row) => row.label),
      ['a, b', '  padded  ', null],
    );
  });
});
