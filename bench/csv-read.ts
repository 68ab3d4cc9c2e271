// Read speed of the CSV path (decode → parse → batches of SourceRow) on an ~80 MB file, against
// a plain read of the same bytes in the same run, so that a noisy, shared machine shows in both.
//   npx tsx bench/csv-read.ts        (BENCH_CSV_ROWS, default 1000000; BENCH_ROUNDS, default 5)
import {
  createReadStream,
  createWriteStream,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { ReportCollector } from '../src/datastore/report.js';
import { openDelimitedText } from '../src/datastore/sniff/index.js';

const rowCount = Number(process.env.BENCH_CSV_ROWS ?? 1_000_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const root = new URL('../', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'khomoun-bench-csv-'));
const file = join(work, 'big.csv');

/** Lao and English province names from the shared gazetteer (name_lo, name_en_codab). */
function provinceNames(): Array<[string, string]> {
  const path = join(root, '..', 'shared', 'data', 'lao', 'provinces.csv');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    // The shared data is not everywhere; a few real names keep the byte mix about the same.
    return [
      ['ນະຄອນຫຼວງວຽງຈັນ', 'Vientiane Capital'],
      ['ຜົ້ງສາລີ', 'Phongsaly'],
      ['ຫຼວງພະບາງ', 'Louangphabang'],
      ['ເຊກອງ', 'Sekong'],
    ];
  }
  const [header = '', ...lines] = text.trim().split('\n');
  const columns = header.split(',');
  const lo = columns.indexOf('name_lo');
  const en = columns.indexOf('name_en_codab');
  return lines.map((line) => {
    const cells = line.split(',');
    return [cells[lo] ?? '', cells[en] ?? ''];
  });
}

/** Lao number format: `.` groups thousands, `,` marks the decimals (`6.492.228,5`). */
function laoDecimal(value: number): string {
  const [whole = '0', fraction = '0'] = value.toFixed(1).split('.');
  return `${whole.replace(/\B(?=(\d{3})+$)/g, '.')},${fraction}`;
}

/** Writes the CSV: ids, Lao and English names, quoted Lao decimals, dd/mm/yyyy dates, and every
 * 50th row a quoted note holding a comma and a line break (CRLF on every 100th). */
async function makeFile(): Promise<void> {
  const names = provinceNames();
  const out = createWriteStream(file);
  out.write('id,ແຂວງ,province,ປະຊາກອນ,ມູນຄ່າ,ວັນທີ,ໝາຍເຫດ\n');
  let seed = 12345;
  // A fixed linear congruential sequence: the same file on every run, without Math.random.
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648);
  let pending = '';
  for (let i = 1; i <= rowCount; i++) {
    const [lo, en] = names[next() % names.length] ?? ['', ''];
    const people = next() % 2_000_000;
    const value = laoDecimal((next() % 1_000_000_000) / 10);
    const day = String((next() % 28) + 1).padStart(2, '0');
    const month = String((next() % 12) + 1).padStart(2, '0');
    const note =
      i % 50 === 0
        ? `"ໝາຍເຫດ: ${lo}, ປັບປຸງ${i % 100 === 0 ? '\r\n' : '\n'}ຕົວເລກ ""ປະມານ"""`
        : i % 7 === 0
          ? 'ຕົວເລກປະມານ'
          : '';
    pending += `${i},${lo},${en},${people},"${value}",${day}/${month}/${2000 + (i % 25)},${note}\n`;
    if (pending.length > 64 * 1024) {
      if (!out.write(pending)) await once(out, 'drain');
      pending = '';
    }
  }
  out.end(pending);
  await once(out, 'finish');
}

/** The floor: stream the bytes and count LF bytes, which is all a reader must at least do. */
async function baseline(): Promise<number> {
  let lines = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
    const bytes = chunk as Buffer;
    for (let at = bytes.indexOf(10); at >= 0; at = bytes.indexOf(10, at + 1)) lines++;
  }
  return lines;
}

async function readRows(): Promise<number> {
  const source = await openDelimitedText(file, {});
  const report = new ReportCollector();
  let rows = 0;
  for await (const batch of source.rows(report)) rows += batch.length;
  const errors = report.finish({ rows, fields: 0 }).stats.errors;
  if (errors > 0) throw new Error(`the reader reported ${errors} problems on a clean file`);
  return rows;
}

async function timed(run: () => Promise<number>): Promise<{ seconds: number; count: number }> {
  const start = performance.now();
  const count = await run();
  return { seconds: (performance.now() - start) / 1000, count };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

try {
  await makeFile();
  const mb = statSync(file).size / 1e6;
  console.log(`file: ${mb.toFixed(1)} MB, ${rowCount} rows + header, ${rounds} rounds`);
  const base: number[] = [];
  const ours: number[] = [];
  const ratios: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    // Both in each round, back to back, so that a noisy neighbour weighs on both alike.
    const b = await timed(baseline);
    const r = await timed(readRows);
    if (r.count !== rowCount + 1) throw new Error(`read ${r.count} rows, wrote ${rowCount + 1}`);
    base.push(mb / b.seconds);
    ours.push(mb / r.seconds);
    ratios.push(mb / r.seconds / (mb / b.seconds));
    console.log(
      `round ${round}: baseline ${(mb / b.seconds).toFixed(0)} MB/s, rows() ${(mb / r.seconds).toFixed(1)} MB/s (${r.seconds.toFixed(2)} s)`,
    );
  }
  console.log(
    `median: baseline ${median(base).toFixed(0)} MB/s, rows() ${median(ours).toFixed(1)} MB/s, ` +
      `ratio ${median(ratios).toFixed(3)}`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
