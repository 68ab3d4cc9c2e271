// The JavaScript read of an ingest runs in a thread of the ingest process (read-thread.ts), so
// that its heap goes before DuckDB's steps. What it learnt must cross the thread boundary whole:
// the report with its examples, totals and decisions, the column decisions, and an unreadable
// file's error as such (it ends the ingest for good, where another error is retried).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { UnreadableSource } from '../src/datastore/readers/errors.js';
import { readRows, type ReadTask } from '../src/datastore/read-rows.js';
import { readInThread, spoolInThread } from '../src/datastore/read-thread.js';
import { ReportCollector } from '../src/datastore/report.js';

describe('the read thread', () => {
  let dir: string;
  let counter = 0;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'khomoun-read-thread-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const task = (text: string, options: ReadTask['options'] = {}): ReadTask => {
    counter += 1;
    const file = join(dir, `file-${counter}.csv`);
    writeFileSync(file, text);
    return { file, fileName: 'data.csv', options, spoolPath: join(dir, `rows-${counter}.csv`) };
  };

  it('replays a report as it was recorded, examples beyond the cap counted', () => {
    const recorded = new ReportCollector(3);
    recorded.decide({ topic: 'format', value: 'csv', reason: 'text' });
    for (let row = 2; row < 9; row += 1)
      recorded.error({ code: 'type-error', rowNumber: row, cell: 'x'.repeat(90), message: 'no' });
    recorded.error({ code: 'blank-row', rowNumber: 12, message: 'blank' });
    recorded.count('missing-cell', 4);
    const replayed = new ReportCollector(3);
    replayed.absorb(recorded.finish({ rows: 0, fields: 0 }));
    assert.deepEqual(
      replayed.finish({ rows: 10, fields: 2 }),
      recorded.finish({ rows: 10, fields: 2 }),
    );
  });

  it('reads in a thread what the same read finds in this one', async () => {
    let text = 'id;amount;day\n';
    for (let i = 1; i <= 40; i += 1)
      text += `${i};${i === 7 ? 'x' : `${i}.${String(i).padStart(3, '0')},5`};${1 + (i % 28)}/02/2024\n`;
    text += '\n41;7,5;31/12/2023\n';
    const here = await readRows(task(text), () => {});
    const progress: number[] = [];
    const there = await readInThread(task(text), (p) => progress.push(p.rows));
    assert.deepEqual(there, here);
    assert.equal(there.parquet, false);
    if (there.parquet) return;
    assert.deepEqual(there.names, ['id', 'amount', 'day']);
    assert.equal(there.rowCount, 41);
    assert.deepEqual(
      there.decisions.map((d) => d.type),
      ['integer', 'decimal', 'date'],
    );
    // The blank row and the misfit: DuckDB must not read this file in place.
    assert.equal(there.inPlace, undefined);
    assert.equal(there.decisions[1]?.counts.misfits, 1);
    assert.equal(there.report.totals['blank-row'], 1);
  });

  it('finds a clean UTF-8 file readable in place, and spools it on request', async () => {
    const clean = task('a,b\n1,"x, y"\n2,z\n');
    const read = await readInThread(clean, () => {});
    assert.ok(!read.parquet);
    assert.deepEqual(read.inPlace, { delimiter: ',', quote: '"', longestLineBytes: 0 });
    assert.equal(read.spooled, false);
    const longest = await spoolInThread(clean, 2);
    assert.ok(longest > 0);
    assert.equal(readFileSync(clean.spoolPath, 'utf8'), '2,1,"x, y"\n3,2,z\n');
  });

  it('spools a file in another encoding than UTF-8 as it reads it, not in a second read', async () => {
    const latin = task('');
    writeFileSync(latin.file, Buffer.from('name,n\ncafé,1\nthé,2\n', 'latin1'));
    const read = await readInThread({ ...latin, options: { encoding: 'windows-1252' } }, () => {});
    assert.ok(!read.parquet);
    assert.equal(read.inPlace, undefined);
    assert.equal(read.spooled, true);
    assert.equal(readFileSync(latin.spoolPath, 'utf8'), '2,café,1\n3,thé,2\n');
  });

  it('rejects an unreadable file with the unreadable error', async () => {
    await assert.rejects(
      readInThread(task(''), () => {}),
      (error: unknown) => {
        assert.ok(error instanceof UnreadableSource);
        assert.match(error.message, /empty/);
        return true;
      },
    );
  });
});
