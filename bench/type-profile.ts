// Throughput of ColumnProfiler.observe over a typical mixed table, against a baseline loop that
// only trims each cell in the same run (machines are noisy; the ratio is what to compare).
//   npx tsx bench/type-profile.ts        (BENCH_ROWS, default 1,000,000)
import { ColumnProfiler } from '../src/datastore/types/index.js';

const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
const columns: Array<(i: number) => string> = [
  (i) => String(i),
  (i) => `${(i * 7919) % 100000}.${i % 10}`,
  (i) => `${(i % 1000) + 1}.${String(i % 1000).padStart(3, '0')},${i % 10}`,
  (i) => `2024-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`,
  (i) => `${(i % 28) + 1}/${(i % 12) + 1}/2023`,
  (i) => (i % 2 === 0 ? 'true' : 'false'),
  (i) => ['Vientiane', 'ຫຼວງພະບາງ', 'Savannakhet', 'ຈຳປາສັກ'][i % 4] ?? '',
  (i) => (i % 10 === 0 ? '' : `0${i % 100000}`),
];
const table = columns.map((make) => Array.from({ length: rows }, (_, i) => make(i)));

function timed(run: () => void): number {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

let sink = 0;
const baseline = timed(() => {
  for (const column of table) for (const value of column) sink += value.trim().length;
});
const profilers = columns.map((_, i) => new ColumnProfiler(`c${i}`));
const profiled = timed(() => {
  table.forEach((column, c) => {
    const profiler = profilers[c];
    if (profiler === undefined) return;
    for (const value of column) profiler.observe(value);
  });
});
const cells = rows * columns.length;
console.log(`cells: ${cells.toLocaleString('en')} (sink ${sink})`);
console.log(`observe(): ${Math.round(cells / profiled).toLocaleString('en')} cells/s`);
console.log(`trim-only baseline: ${Math.round(cells / baseline).toLocaleString('en')} cells/s`);
console.log(`ratio observe/baseline time: ${(profiled / baseline).toFixed(1)}x`);
