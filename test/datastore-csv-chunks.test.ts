import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ReportCollector } from '../src/datastore/report.js';
import { ChunkDecoder } from '../src/datastore/sniff/decode.js';
import { DelimitedParser, openDelimitedText } from '../src/datastore/sniff/index.js';
import type { SourceRow } from '../src/datastore/source.js';

// openDelimitedText cuts the bytes it reads after their last LF, so that the parser gets whole
// lines. These tests read files whose every kind of mess lands on a 1 MiB read boundary, and
// compare the rows and the report with a read of the same bytes as they came, uncut.
const dir = mkdtempSync(join(tmpdir(), 'khomoun-csv-chunks-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const mib = 1024 * 1024;

/** The rows and report of the bytes decoded and parsed as the stream gave them (the old read). */
async function readUncut(
  path: string,
  dialect: { delimiter: string; quote: string },
  encoding = 'utf-8',
) {
  const report = new ReportCollector();
  const parser = new DelimitedParser(dialect, (problem) => report.error(problem));
  const decoder = new ChunkDecoder(encoding, report);
  const texts: string[] = [];
  for await (const bytes of createReadStream(path, { highWaterMark: mib }))
    texts.push(decoder.write(bytes as Buffer));
  texts.push(decoder.end());
  decoder.finish();
  const nonEmpty = texts.filter((text) => text.length > 0);
  const rows: SourceRow[] = [];
  for (const [i, text] of nonEmpty.entries())
    rows.push(...parser.push(text, i === nonEmpty.length - 1));
  return { rows, report };
}

async function readCut(path: string, encoding = 'utf-8') {
  const report = new ReportCollector();
  const source = await openDelimitedText(path, { encoding });
  const rows: SourceRow[] = [];
  for await (const batch of source.rows(report)) rows.push(...batch);
  return { rows, report };
}

/** A pseudo-random generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

const pieces = [
  'ນະຄອນຫຼວງວຽງຈັນ',
  '6.492.228,5',
  '"a;b"',
  '"two\nlines"',
  '"say ""hi"""',
  '\uFEFFbom',
  '໑໒໓',
  '12,5%',
  'N/A',
  '',
  '🙂',
];
const badBytes = [
  Buffer.from([0xff]),
  Buffer.from([0xe0, 0x80]),
  Buffer.from([0xe0]),
  Buffer.from([0]),
];

/** A file of about `size` bytes: a header, then lines of random pieces and bad bytes. */
function messyFile(seed: number, size: number, lineBreak: string): Buffer {
  const next = random(seed);
  const parts: Buffer[] = [Buffer.from(`id;name;value${lineBreak}`)];
  let length = 0;
  for (let row = 1; length < size; row += 1) {
    const cells = [String(row)];
    for (let c = 0; c < 2; c += 1) cells.push(pieces[Math.floor(next() * pieces.length)]!);
    const line = Buffer.from(cells.join(';'));
    const bad = next() < 0.2 ? badBytes[Math.floor(next() * badBytes.length)]! : Buffer.alloc(0);
    // A bad byte at the end of a line sits right before its LF, some of them on a read boundary.
    const part = Buffer.concat([line, bad, Buffer.from(lineBreak)]);
    parts.push(part);
    length += part.length;
  }
  return Buffer.concat(parts);
}

describe('openDelimitedText reading whole lines', () => {
  it('gives the rows and report of the uncut read, whatever lands on a read boundary', async () => {
    for (const lineBreak of ['\n', '\r\n']) {
      for (let shift = 0; shift < 4; shift += 1) {
        // Each shift moves every line by one more byte against the 1 MiB boundaries.
        const body = messyFile(7 + shift, 1.1 * mib, lineBreak);
        const path = join(dir, `messy-${shift}-${lineBreak.length}.csv`);
        writeFileSync(path, Buffer.concat([Buffer.from('x'.repeat(shift)), body]));
        const uncut = await readUncut(path, { delimiter: ';', quote: '"' });
        const cut = await readCut(path);
        assert.ok(uncut.rows.length > 10_000);
        assert.deepEqual(cut.rows, uncut.rows, `shift ${shift}`);
        const finish = (report: ReportCollector) =>
          report.finish({ rows: uncut.rows.length, fields: 3 });
        const cutReport = finish(cut.report);
        const uncutReport = finish(uncut.report);
        // The cut read also records its sniffed encoding, delimiter and quote.
        cutReport.decisions = cutReport.decisions.filter(
          (decision) => !['encoding', 'delimiter', 'quote'].includes(decision.topic),
        );
        assert.deepEqual(cutReport, uncutReport, `shift ${shift}`);
        assert.ok(uncutReport.errors.some((error) => error.code === 'encoding-error'));
      }
    }
  });

  it('joins a Lao character and a quoted line break split by a read boundary', async () => {
    const head = 'id;name\n';
    for (const [name, tail] of [
      ['character', '1;ນະຄອນ\n'],
      ['quote', '1;"ນະ\nຄອນ"\n'],
    ] as const) {
      for (let back = 1; back < 8; back += 1) {
        // The tail's first bytes end the first read, the rest begin the second.
        const fill = mib - head.length - back;
        const padding = `0;${'x'.repeat(fill - 3)}\n`;
        const path = join(dir, `split-${name}-${back}.csv`);
        writeFileSync(path, `${head}${padding}${tail}2;z\n`);
        const cut = await readCut(path);
        assert.deepEqual(cut.rows, (await readUncut(path, { delimiter: ';', quote: '"' })).rows);
        assert.deepEqual(
          cut.rows[2]?.cells,
          tail
            .slice(0, -1)
            .split(';')
            .map((cell) => cell.replaceAll('"', '')),
        );
      }
    }
  });

  it('reads UTF-16LE, where a LF byte may be half of another character', async () => {
    // U+0A0A and U+010A are written with a 0x0A byte, and the LF itself is 0x0A 0x00: cutting
    // after a 0x0A splits a character, which the decoder joins again.
    const lines = Array.from({ length: 60_000 }, (_, i) => `${i};\u0A0Aນະຄອນ\u010A ${i};"q\n${i}"`);
    for (let shift = 0; shift < 2; shift += 1) {
      const path = join(dir, `utf16-${shift}.csv`);
      const text = `${'x'.repeat(shift)}id;name;note\n${lines.join('\n')}\n`;
      writeFileSync(path, Buffer.from(text, 'utf16le'));
      const uncut = await readUncut(path, { delimiter: ';', quote: '"' }, 'utf-16le');
      const cut = await readCut(path, 'utf-16le');
      assert.equal(cut.rows.length, 60_001);
      assert.deepEqual(cut.rows, uncut.rows, `shift ${shift}`);
      assert.equal(cut.rows[60_000]?.cells[1], '\u0A0Aນະຄອນ\u010A 59999');
    }
  });

  it('reads a file with lone CRs only, longer than one read', async () => {
    const lines = Array.from({ length: 120_000 }, (_, i) => `${i};ນະຄອນ ${i};"q\r${i}"`);
    const path = join(dir, 'lone-cr.csv');
    writeFileSync(path, `id;name;note\r${lines.join('\r')}\r`);
    const uncut = await readUncut(path, { delimiter: ';', quote: '"' });
    const cut = await readCut(path);
    assert.equal(cut.rows.length, 120_001);
    assert.deepEqual(cut.rows, uncut.rows);
  });
});

describe('cells and chunks of another size than the read', () => {
  it('decodes ASCII chunks, and characters cut by a chunk boundary, as one decode does', () => {
    const parts = [
      Buffer.from('\uFEFFid,name\n1,'),
      Buffer.from('abc'),
      Buffer.from([0xe0, 0xba]), // ກ cut after two of its three bytes…
      Buffer.from([0x81, 0x0a]),
      Buffer.from('2,plain\n'),
      Buffer.from([0x33, 0x2c, 0xe0]), // …and a sequence that is never finished,
      Buffer.from('ascii after it\n'), // followed by ASCII only
      Buffer.from([0xf0, 0x9f]),
      Buffer.from([0x99, 0x82, 0x0a]),
      Buffer.from('\uFEFF in the middle stays\n'),
    ];
    const whole = new TextDecoder().decode(Buffer.concat(parts));
    const report = new ReportCollector();
    const decoder = new ChunkDecoder('utf-8', report);
    const text = parts.map((part) => decoder.write(part)).join('') + decoder.end();
    assert.equal(text, whole);
    assert.match(text, /^id,name\n1,abcກ\n2,plain\n3,\uFFFDascii after it\n🙂\n\uFEFF in/);
  });

  it('reads a cell of megabytes given in small chunks, and measures its line', () => {
    const quoted = `"${'ລາວ "" x,\n'.repeat(300_000)}"`;
    const unquoted = 'y'.repeat(3 * mib);
    const text = `a,b\n1,${quoted}\n2,${unquoted}\n3,short\n`;
    const whole = new DelimitedParser({ delimiter: ',', quote: '"' }).push(text, true);
    const parser = new DelimitedParser({ delimiter: ',', quote: '"' });
    const rows: SourceRow[] = [];
    const size = 64 * 1024;
    for (let at = 0; at < text.length; at += size)
      rows.push(...parser.push(text.slice(at, at + size), at + size >= text.length));
    assert.deepEqual(rows, whole);
    assert.equal(rows[1]?.cells[1], 'ລາວ " x,\n'.repeat(300_000));
    assert.equal(rows[2]?.cells[1], unquoted);
    assert.equal(rows[3]?.rowNumber, 300_004);
    // The longest line counts bytes of UTF-8 (ລາວ takes nine), its line break included.
    assert.equal(parser.longestLongRecordBytes, Buffer.byteLength(`1,${quoted}\n`));
    assert.equal(new DelimitedParser({ delimiter: ',', quote: '"' }).longestLongRecordBytes, 0);
  });
});
